package io.sidecar.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML node that remembers where it came from (its path from the root and its line), after
 * {@code ${ENV}} substitution. Errors found anywhere below can therefore say exactly where they are.
 */
public final class YamlNode {
  public enum Kind { MAP, LIST, SCALAR, NULL }

  /** What kind of YAML value a scalar was written as (a quoted "8080" is text, 8080 a number). */
  public enum ScalarType { STRING, INT, FLOAT, BOOL }

  private final Kind kind;
  private final String path;
  private final int line;
  private final String scalar;
  private final ScalarType scalarType;
  private final Map<String, YamlNode> entries;
  private final List<YamlNode> items;

  private YamlNode(Kind kind, String path, int line, String scalar, ScalarType scalarType,
                   Map<String, YamlNode> entries, List<YamlNode> items) {
    this.kind = kind;
    this.path = path;
    this.line = line;
    this.scalar = scalar;
    this.scalarType = scalarType;
    this.entries = entries;
    this.items = items;
  }

  static YamlNode scalar(String path, int line, String value, ScalarType type) {
    return new YamlNode(Kind.SCALAR, path, line, value, type, Map.of(), List.of());
  }

  static YamlNode nullNode(String path, int line) {
    return new YamlNode(Kind.NULL, path, line, null, null, Map.of(), List.of());
  }

  static YamlNode map(String path, int line, LinkedHashMap<String, YamlNode> entries) {
    return new YamlNode(Kind.MAP, path, line, null, null, Collections.unmodifiableMap(entries), List.of());
  }

  static YamlNode list(String path, int line, List<YamlNode> items) {
    return new YamlNode(Kind.LIST, path, line, null, null, Map.of(), List.copyOf(items));
  }

  /** An empty map standing in for an optional section that was not written. */
  static YamlNode absentMap(String path, int line) {
    return new YamlNode(Kind.MAP, path, line, null, null, Map.of(), List.of());
  }

  public Kind kind() { return kind; }
  public String path() { return path; }
  public int line() { return line; }
  public String scalar() { return scalar; }
  public ScalarType scalarType() { return scalarType; }
  public Map<String, YamlNode> entries() { return entries; }
  public List<YamlNode> items() { return items; }
  public boolean isMap() { return kind == Kind.MAP; }
  public boolean isList() { return kind == Kind.LIST; }
  public boolean isScalar() { return kind == Kind.SCALAR; }
  public boolean isNull() { return kind == Kind.NULL; }

  public YamlNode get(String key) {
    return entries.get(key);
  }

  /** Finds the node at a path below this one ({@code faults[0].delay.fixed}); null when absent. */
  public YamlNode find(String relativePath) {
    YamlNode node = this;
    for (String part : relativePath.split("\\.")) {
      if (node == null || part.isEmpty()) return node;
      String key = part;
      int bracket = part.indexOf('[');
      if (bracket >= 0) key = part.substring(0, bracket);
      if (!key.isEmpty()) node = node.get(key);
      while (node != null && bracket >= 0) {
        int close = part.indexOf(']', bracket);
        int index = Integer.parseInt(part.substring(bracket + 1, close));
        node = node.isList() && index < node.items.size() ? node.items.get(index) : null;
        bracket = part.indexOf('[', close);
      }
    }
    return node;
  }

  /** The line of the node at {@code relativePath}, or of its nearest ancestor below this one that exists; 0 if none. */
  public int lineOf(String relativePath) {
    String p = relativePath;
    while (!p.isEmpty()) {
      YamlNode node;
      try {
        node = find(p);
      } catch (RuntimeException e) {
        node = null;
      }
      if (node != null) return node.line();
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? "" : p.substring(0, cut);
    }
    return 0;
  }

  /** The plain Java value (Map, List, String, Long, Double, Boolean or null), as Jackson or SnakeYAML give it. */
  public Object toPlain() {
    switch (kind) {
      case MAP: {
        Map<String, Object> out = new LinkedHashMap<>();
        entries.forEach((k, v) -> out.put(k, v.toPlain()));
        return out;
      }
      case LIST: {
        List<Object> out = new ArrayList<>(items.size());
        items.forEach(i -> out.add(i.toPlain()));
        return out;
      }
      case NULL:
        return null;
      default:
        try {
          return switch (scalarType) {
            case INT -> Long.parseLong(scalar.replace("_", ""));
            case FLOAT -> Double.parseDouble(scalar);
            case BOOL -> Boolean.parseBoolean(scalar.toLowerCase());
            default -> scalar;
          };
        } catch (NumberFormatException e) {
          return scalar;
        }
    }
  }

  public String describe() {
    return switch (kind) {
      case MAP -> "a map";
      case LIST -> "a list";
      case NULL -> "empty";
      default -> "'" + scalar + "'";
    };
  }
}
