package io.sidecar.cache.semantics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parsed Cache-Control style directives (RFC 9111 §5.2: {@code token [ "=" ( token / quoted-string ) ]},
 * comma separated, names case-insensitive). The first occurrence of a directive wins (RFC 9111 §4.2.1).
 */
public final class Directives {

  public static final Directives NONE = new Directives(Map.of());

  /** Marker for an invalid delta-seconds value. */
  public static final long INVALID = -1;

  /** RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31. */
  public static final long DELTA_SECONDS_MAX = 2147483648L;

  private final Map<String, String> values;

  private Directives(Map<String, String> values) {
    this.values = values;
  }

  public static Directives parse(List<String> fieldValues) {
    if (fieldValues.isEmpty()) {
      return NONE;
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (String fv : fieldValues) {
      for (String element : splitOutsideQuotes(fv)) {
        String e = element.trim();
        if (e.isEmpty()) {
          continue;
        }
        int eq = e.indexOf('=');
        String name = (eq < 0 ? e : e.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? null : unquote(e.substring(eq + 1).trim());
        if (!name.isEmpty()) {
          map.putIfAbsent(name, value);
        }
      }
    }
    return new Directives(Collections.unmodifiableMap(map));
  }

  public static Directives parse(String fieldValue) {
    return fieldValue == null ? NONE : parse(List.of(fieldValue));
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The argument of a directive, or null when absent or without argument. */
  public String value(String name) {
    return values.get(name);
  }

  /**
   * The delta-seconds argument: null when the directive is absent, {@link #INVALID} when it has no valid
   * non-negative integer argument; values beyond 2^31 are capped (RFC 9111 §1.2.2).
   */
  public Long seconds(String name) {
    if (!values.containsKey(name)) {
      return null;
    }
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      return INVALID;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return INVALID;
      }
    }
    if (v.length() > 10) {
      return DELTA_SECONDS_MAX;
    }
    return Math.min(Long.parseLong(v), DELTA_SECONDS_MAX);
  }

  /** The field names of a qualified {@code no-cache="a, b"} or {@code private="a"} directive (RFC 9111 §5.2.2.4/7). */
  public List<String> fieldNames(String name) {
    String v = values.get(name);
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String p : v.split(",")) {
      String t = p.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  public Map<String, String> asMap() {
    return values;
  }

  private static List<String> splitOutsideQuotes(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\' && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i < v.length() - 1; i++) {
        char c = v.charAt(i);
        if (c == '\\' && i + 1 < v.length() - 1) {
          c = v.charAt(++i);
        }
        sb.append(c);
      }
      return sb.toString();
    }
    return v;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
