package io.sidecar.cache.semantics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, ordered list of HTTP field lines with case-insensitive lookup (RFC 9110 §5.1).
 * The decision classes use it instead of a Vert.x {@code MultiMap} so they stay plain Java.
 */
public final class HeaderFields {

  public static final HeaderFields EMPTY = new HeaderFields(List.of());

  private final List<Map.Entry<String, String>> lines;

  private HeaderFields(List<Map.Entry<String, String>> lines) {
    this.lines = lines;
  }

  public static HeaderFields of(List<Map.Entry<String, String>> lines) {
    return new HeaderFields(List.copyOf(lines));
  }

  /** {@code of("Name", "value", "Other", "value")}. */
  public static HeaderFields of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    List<Map.Entry<String, String>> list = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      list.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
    }
    return new HeaderFields(Collections.unmodifiableList(list));
  }

  public List<Map.Entry<String, String>> lines() {
    return lines;
  }

  public boolean contains(String name) {
    for (Map.Entry<String, String> e : lines) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** The first field line's value, or null. */
  public String first(String name) {
    for (Map.Entry<String, String> e : lines) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  public List<String> all(String name) {
    List<String> out = null;
    for (Map.Entry<String, String> e : lines) {
      if (e.getKey().equalsIgnoreCase(name)) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(e.getValue());
      }
    }
    return out == null ? List.of() : out;
  }

  /** All field lines of one name combined into one value with ", " (RFC 9110 §5.3), or null when absent. */
  public String combined(String name) {
    List<String> values = all(name);
    return values.isEmpty() ? null : String.join(", ", values);
  }

  /** The comma-separated list elements of all lines of a list-based field (RFC 9110 §5.6.1), trimmed. */
  public List<String> listElements(String name) {
    List<String> out = new ArrayList<>();
    for (String v : all(name)) {
      for (String part : v.split(",")) {
        String t = part.trim();
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return out;
  }

  public HeaderFields without(Collection<String> names) {
    if (names.isEmpty()) {
      return this;
    }
    Set<String> lower = lowerSet(names);
    List<Map.Entry<String, String>> out = new ArrayList<>(lines.size());
    for (Map.Entry<String, String> e : lines) {
      if (!lower.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        out.add(e);
      }
    }
    return out.size() == lines.size() ? this : new HeaderFields(Collections.unmodifiableList(out));
  }

  /** Replaces all lines of {@code name} with one line (appended at the end). */
  public HeaderFields with(String name, String value) {
    List<Map.Entry<String, String>> out = new ArrayList<>(without(List.of(name)).lines);
    out.add(Map.entry(name, value));
    return new HeaderFields(Collections.unmodifiableList(out));
  }

  /** Approximate size in bytes, used to weigh cache entries. */
  public int byteSize() {
    int n = 0;
    for (Map.Entry<String, String> e : lines) {
      n += e.getKey().length() + e.getValue().length() + 4;
    }
    return n;
  }

  public int size() {
    return lines.size();
  }

  static Set<String> lowerSet(Collection<String> names) {
    Set<String> lower = new TreeSet<>();
    for (String n : names) {
      lower.add(n.toLowerCase(Locale.ROOT));
    }
    return lower;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderFields other && lines.equals(other.lines);
  }

  @Override
  public int hashCode() {
    return lines.hashCode();
  }

  @Override
  public String toString() {
    return lines.toString();
  }
}
