package io.sidecar.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns YAML text into a {@link YamlNode} tree with paths and lines, expanding {@code ${ENV}} in scalars. Anchors,
 * aliases and merge keys ({@code <<: *defaults}) work as in YAML 1.1; a duplicate key is an error, as is an alias
 * inside the node it names; top-level keys starting with {@code x-} are ignored, so anchors have somewhere to live.
 */
public final class YamlTreeReader {
  /** Top-level keys with this prefix are ignored: a place for YAML anchors, as in docker-compose files. */
  static final String EXTENSION_PREFIX = "x-";

  private final EnvSubstitution env;
  private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

  public YamlTreeReader(EnvSubstitution env) {
    this.env = env;
  }

  /** The mapping(s) a merge key names: one mapping, or a list of them. */
  private static void mergeSources(Node value, String path, List<ConfigError> errors, List<Node> out) {
    if (value instanceof MappingNode) {
      out.add(value);
      return;
    }
    if (value instanceof SequenceNode sequence && sequence.getValue().stream().allMatch(n -> n instanceof MappingNode)) {
      out.addAll(sequence.getValue());
      return;
    }
    errors.add(new ConfigError(path.isEmpty() ? "<<" : path + ".<<", value.getStartMark().getLine() + 1,
        "a merge key needs a map or a list of maps"));
  }

  /** Parses text; syntax and substitution problems are added to {@code errors}; returns null on a syntax error. */
  public YamlNode read(String text, List<ConfigError> errors) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    Node root;
    try {
      root = yaml.compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      errors.add(new ConfigError("", line, "invalid YAML: " + e.getProblem()));
      return null;
    } catch (YAMLException e) {
      errors.add(new ConfigError("", 0, "invalid YAML: " + e.getMessage()));
      return null;
    }
    if (root == null) {
      return YamlNode.absentMap("", 1);
    }
    return convert(root, "", errors);
  }

  private YamlNode convert(Node node, String path, List<ConfigError> errors) {
    int line = node.getStartMark().getLine() + 1;
    if (!inProgress.add(node)) {
      // an alias inside the node it names (&a [*a]) would be an endless tree
      errors.add(new ConfigError(path, line, "an alias refers to a node that contains it"));
      return YamlNode.nullNode(path, line);
    }
    try {
      return convertOnce(node, path, line, errors);
    } finally {
      inProgress.remove(node);
    }
  }

  private YamlNode convertOnce(Node node, String path, int line, List<ConfigError> errors) {
    if (node instanceof MappingNode mapping) {
      LinkedHashMap<String, YamlNode> entries = new LinkedHashMap<>();
      List<Node> merged = new ArrayList<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          errors.add(new ConfigError(path, tuple.getKeyNode().getStartMark().getLine() + 1, "keys must be plain text"));
          continue;
        }
        if (Tag.MERGE.equals(key.getTag())) {
          mergeSources(tuple.getValueNode(), path, errors, merged);
          continue;
        }
        if (path.isEmpty() && key.getValue().startsWith(EXTENSION_PREFIX)) continue;
        String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
        YamlNode first = entries.get(key.getValue());
        if (first != null) {
          // SnakeYAML checks duplicates only when it constructs Java objects, which this reader does not ask of it
          errors.add(new ConfigError(childPath, key.getStartMark().getLine() + 1,
              "duplicate key (first on line " + first.line() + ")"));
          continue;
        }
        entries.put(key.getValue(), convert(tuple.getValueNode(), childPath, errors));
      }
      // YAML merge keys (<<: *defaults): the mapping's own keys win, then earlier sources over later ones
      for (Node source : merged) {
        YamlNode converted = convert(source, path, errors);
        converted.entries().forEach(entries::putIfAbsent);
      }
      return YamlNode.map(path, line, entries);
    }
    if (node instanceof SequenceNode sequence) {
      List<YamlNode> items = new ArrayList<>();
      List<Node> values = sequence.getValue();
      for (int i = 0; i < values.size(); i++) {
        items.add(convert(values.get(i), path + "[" + i + "]", errors));
      }
      return YamlNode.list(path, line, items);
    }
    ScalarNode scalar = (ScalarNode) node;
    Tag tag = scalar.getTag();
    if (Tag.NULL.equals(tag)) {
      return YamlNode.nullNode(path, line);
    }
    YamlNode.ScalarType type = Tag.INT.equals(tag) ? YamlNode.ScalarType.INT
        : Tag.FLOAT.equals(tag) ? YamlNode.ScalarType.FLOAT
        : Tag.BOOL.equals(tag) ? YamlNode.ScalarType.BOOL
        : YamlNode.ScalarType.STRING;
    String value = scalar.getValue();
    if (type == YamlNode.ScalarType.STRING) {
      try {
        value = env.expand(value);
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError(path, line, e.getMessage()));
      }
    }
    return YamlNode.scalar(path, line, value, type);
  }
}
