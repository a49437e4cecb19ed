package io.sidecar.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

/** Turns YAML text into a {@link YamlNode} tree with paths and lines, expanding {@code ${ENV}} in scalars. */
public final class YamlTreeReader {
  private final EnvSubstitution env;

  public YamlTreeReader(EnvSubstitution env) {
    this.env = env;
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
    if (node instanceof MappingNode mapping) {
      LinkedHashMap<String, YamlNode> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          errors.add(new ConfigError(path, tuple.getKeyNode().getStartMark().getLine() + 1, "keys must be plain text"));
          continue;
        }
        String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
        entries.put(key.getValue(), convert(tuple.getValueNode(), childPath, errors));
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
