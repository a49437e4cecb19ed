package io.sidecar.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed, error-collecting access to the keys of one YAML map. Every getter returns a usable value (the default
 * when the key is absent or wrong) and records what was wrong, so that one pass reports every error at once.
 * Keys that are not known are errors too: a misspelt key must not be silently ignored.
 */
public final class Fields {
  private final YamlNode node;
  private final List<ConfigError> errors;

  private Fields(YamlNode node, List<ConfigError> errors) {
    this.node = node;
    this.errors = errors;
  }

  /** Reads {@code node} as a map that may only hold the {@code known} keys. */
  public static Fields of(YamlNode node, List<ConfigError> errors, String... known) {
    if (!node.isMap()) {
      if (!node.isNull()) {
        errors.add(new ConfigError(node.path(), node.line(), "must be a map, got " + node.describe()));
      }
      return new Fields(YamlNode.absentMap(node.path(), node.line()), errors);
    }
    Set<String> allowed = new LinkedHashSet<>(Arrays.asList(known));
    node.entries().forEach((key, child) -> {
      if (!allowed.contains(key)) {
        errors.add(new ConfigError(child.path(), child.line(), "unknown field (known: " + String.join(", ", allowed) + ")"));
      }
    });
    return new Fields(node, errors);
  }

  public YamlNode node() { return node; }
  public List<ConfigError> errors() { return errors; }

  public boolean has(String key) {
    YamlNode v = node.get(key);
    return v != null && !v.isNull();
  }

  public YamlNode raw(String key) {
    return node.get(key);
  }

  public void error(String key, String message) {
    YamlNode v = node.get(key);
    if (v != null) {
      errors.add(new ConfigError(v.path(), v.line(), message));
    } else {
      errors.add(new ConfigError(childPath(key), node.line(), message));
    }
  }

  public void error(YamlNode at, String message) {
    errors.add(new ConfigError(at.path(), at.line(), message));
  }

  public String childPath(String key) {
    return node.path().isEmpty() ? key : node.path() + "." + key;
  }

  /** A nested map section; an absent section reads as empty (so every default applies). */
  public Fields section(String key, String... known) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) {
      return Fields.of(YamlNode.absentMap(childPath(key), node.line()), errors, known);
    }
    return Fields.of(v, errors, known);
  }

  public String string(String key, String defaultValue) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) return defaultValue;
    if (!v.isScalar()) {
      error(v, "must be text, got " + v.describe());
      return defaultValue;
    }
    return v.scalar();
  }

  public String requiredString(String key) {
    String s = string(key, null);
    if (s == null || s.isBlank()) {
      if (!has(key) || s != null) error(key, "is required");
      return "";
    }
    return s;
  }

  public <T> T parsed(String key, T defaultValue, Function<String, T> parser) {
    String s = string(key, null);
    if (s == null) return defaultValue;
    try {
      return parser.apply(s);
    } catch (RuntimeException e) {
      error(key, e.getMessage());
      return defaultValue;
    }
  }

  public int integer(String key, int defaultValue, int min, int max) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) return defaultValue;
    long value;
    try {
      value = v.isScalar() ? Long.parseLong(v.scalar().replace("_", "").trim()) : Long.MIN_VALUE;
    } catch (NumberFormatException e) {
      value = Long.MIN_VALUE;
    }
    if (value == Long.MIN_VALUE) {
      error(v, "must be a whole number, got " + v.describe());
      return defaultValue;
    }
    if (value < min || value > max) {
      error(v, "must be " + min + ".." + max + ", got " + value);
      return defaultValue;
    }
    return (int) value;
  }

  public double number(String key, double defaultValue, double min, double max) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) return defaultValue;
    double value;
    try {
      value = v.isScalar() ? Double.parseDouble(v.scalar().trim()) : Double.NaN;
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (Double.isNaN(value)) {
      error(v, "must be a number, got " + v.describe());
      return defaultValue;
    }
    if (value < min || value > max) {
      error(v, "must be " + trim(min) + ".." + trim(max) + ", got " + trim(value));
      return defaultValue;
    }
    return value;
  }

  private static String trim(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  public boolean bool(String key, boolean defaultValue) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) return defaultValue;
    if (v.isScalar()) {
      String s = v.scalar().trim().toLowerCase();
      if (s.equals("true") || s.equals("yes") || s.equals("on")) return true;
      if (s.equals("false") || s.equals("no") || s.equals("off")) return false;
    }
    error(v, "must be true or false, got " + v.describe());
    return defaultValue;
  }

  /** A duration with a unit; must be positive unless {@code allowZero}. */
  public Duration duration(String key, Duration defaultValue, boolean allowZero) {
    Duration d = parsed(key, defaultValue, Units::parseDuration);
    if (d != null && (d.isNegative() || (!allowZero && d.isZero()))) {
      error(key, allowZero ? "must not be negative" : "must be greater than 0");
      return defaultValue;
    }
    return d;
  }

  public long size(String key, long defaultValue) {
    YamlNode v = node.get(key);
    if (v != null && v.isScalar() && v.scalarType() == YamlNode.ScalarType.INT) {
      return integer(key, (int) Math.min(Integer.MAX_VALUE, defaultValue), 0, Integer.MAX_VALUE);
    }
    Long size = parsed(key, defaultValue, Units::parseSize);
    return size == null ? defaultValue : size;
  }

  /** A list of text values; a single scalar is accepted as a one-element list. */
  public List<String> strings(String key) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) return List.of();
    if (v.isScalar()) return List.of(v.scalar());
    if (!v.isList()) {
      error(v, "must be a list, got " + v.describe());
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (YamlNode item : v.items()) {
      if (item.isScalar()) out.add(item.scalar());
      else error(item, "must be text, got " + item.describe());
    }
    return List.copyOf(out);
  }

  /** The items of a list (an absent key is an empty list). */
  public List<YamlNode> list(String key) {
    YamlNode v = node.get(key);
    if (v == null || v.isNull()) return List.of();
    if (!v.isList()) {
      error(v, "must be a list, got " + v.describe());
      return List.of();
    }
    return v.items();
  }

  public <E extends Enum<E>> E enumValue(String key, E defaultValue, Class<E> type) {
    String s = string(key, null);
    if (s == null) return defaultValue;
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s.replace('-', '_'))) return e;
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) names.add(e.name().toLowerCase());
    error(key, "unknown value '" + s + "' (expected one of: " + String.join(", ", names) + ")");
    return defaultValue;
  }
}
