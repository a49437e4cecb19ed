package io.sidecar.fault.parse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a JSON-neutral tree ({@code Map<String, Object>}, {@code List<Object>}, String, Number,
 * Boolean, null as Jackson or SnakeYAML produce) and collects every problem with its path instead of
 * stopping at the first one. Getters return null when the field is absent or wrong (and record why).
 */
public final class FieldReader {

  private final List<FieldError> errors = new ArrayList<>();

  public List<FieldError> errors() {
    return errors;
  }

  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  public void error(String path, String message) {
    errors.add(new FieldError(path, message));
  }

  public static String child(String path, String key) {
    return path == null || path.isEmpty() ? key : path + "." + key;
  }

  public static String index(String path, int i) {
    return (path == null ? "" : path) + "[" + i + "]";
  }

  /** The node as an object, or null (with an error) when it is something else. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> object(Object node, String path) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
      return out;
    }
    error(path, node == null ? "is required (an object)" : "must be an object");
    return null;
  }

  @SuppressWarnings("unchecked")
  public List<Object> list(Object node, String path) {
    if (node instanceof List<?> l) return (List<Object>) l;
    error(path, node == null ? "is required (a list)" : "must be a list");
    return null;
  }

  /** Records an error for every key not in {@code known}. */
  public void rejectUnknown(Map<String, Object> m, Set<String> known, String path, String hint) {
    for (String key : m.keySet()) {
      if (!known.contains(key)) error(child(path, key), "unknown " + hint + " '" + key + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
    }
  }

  public String string(Map<String, Object> m, String key, String path, boolean required) {
    Object v = m.get(key);
    String p = child(path, key);
    if (v == null) {
      if (required) error(p, "is required");
      return null;
    }
    if (v instanceof String s) {
      if (s.isBlank()) {
        error(p, "must not be empty");
        return null;
      }
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) return String.valueOf(v);
    error(p, "must be a string");
    return null;
  }

  public Double number(Map<String, Object> m, String key, String path, boolean required) {
    Object v = m.get(key);
    String p = child(path, key);
    if (v == null) {
      if (required) error(p, "is required");
      return null;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        error(p, "must be a finite number");
        return null;
      }
      return d;
    }
    error(p, "must be a number");
    return null;
  }

  /** A number in [min, max] inclusive. */
  public Double numberInRange(Map<String, Object> m, String key, String path, boolean required, double min, double max) {
    Double d = number(m, key, path, required);
    if (d != null && (d < min || d > max)) {
      error(child(path, key), "must be between " + fmt(min) + " and " + fmt(max) + ", was " + fmt(d));
      return null;
    }
    return d;
  }

  public Long integer(Map<String, Object> m, String key, String path, boolean required, long min, long max) {
    Object v = m.get(key);
    String p = child(path, key);
    if (v == null) {
      if (required) error(p, "is required");
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      long l = n.longValue();
      if (l < min || l > max) {
        error(p, "must be between " + min + " and " + max + ", was " + l);
        return null;
      }
      return l;
    }
    error(p, "must be a whole number");
    return null;
  }

  public Boolean bool(Map<String, Object> m, String key, String path) {
    Object v = m.get(key);
    if (v == null) return null;
    if (v instanceof Boolean b) return b;
    error(child(path, key), "must be true or false");
    return null;
  }

  /**
   * A non-negative duration string with a unit. With {@code bareNumberMillis}, a plain number means
   * milliseconds (Toxiproxy's convention for toxic attributes).
   */
  public Duration duration(Map<String, Object> m, String key, String path, boolean required, boolean bareNumberMillis) {
    Object v = m.get(key);
    String p = child(path, key);
    if (v == null) {
      if (required) error(p, "is required");
      return null;
    }
    Duration d;
    if (v instanceof Number n) {
      if (!bareNumberMillis) {
        error(p, "needs a unit (ms, s, m, h), e.g. '" + n + "ms'");
        return null;
      }
      d = Duration.ofNanos(Math.round(n.doubleValue() * 1_000_000d));
    } else if (v instanceof String s) {
      try {
        d = Durations.parse(s);
      } catch (IllegalArgumentException e) {
        error(p, e.getMessage());
        return null;
      }
    } else {
      error(p, "must be a duration string like 250ms");
      return null;
    }
    if (d.isNegative()) {
      error(p, "must not be negative, was " + v);
      return null;
    }
    return d;
  }

  /** Bytes from a whole number or a size string ({@code 64KiB}). */
  public Long size(Map<String, Object> m, String key, String path, boolean required) {
    Object v = m.get(key);
    String p = child(path, key);
    if (v == null) {
      if (required) error(p, "is required");
      return null;
    }
    if (v instanceof Number n) {
      if (n.doubleValue() < 0 || n.doubleValue() != Math.rint(n.doubleValue())) {
        error(p, "must be a non-negative whole number of bytes, was " + n);
        return null;
      }
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Durations.parseSize(s);
      } catch (IllegalArgumentException e) {
        error(p, e.getMessage());
        return null;
      }
    }
    error(p, "must be a size");
    return null;
  }

  /** A map of string to string (e.g. headers); values that are numbers/booleans are stringified. */
  public Map<String, String> stringMap(Map<String, Object> m, String key, String path) {
    Object v = m.get(key);
    if (v == null) return null;
    String p = child(path, key);
    Map<String, Object> obj = object(v, p);
    if (obj == null) return null;
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      Object val = e.getValue();
      if (val instanceof String || val instanceof Number || val instanceof Boolean) {
        out.put(e.getKey(), String.valueOf(val));
      } else {
        error(child(p, e.getKey()), "must be a string");
      }
    }
    return out;
  }

  /** A list of strings, or a single string treated as a one-element list. */
  public List<String> stringList(Map<String, Object> m, String key, String path) {
    Object v = m.get(key);
    if (v == null) return null;
    String p = child(path, key);
    if (v instanceof String s) return List.of(s);
    List<Object> l = list(v, p);
    if (l == null) return null;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i) instanceof String s && !s.isBlank()) out.add(s);
      else error(index(p, i), "must be a non-empty string");
    }
    return out;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
