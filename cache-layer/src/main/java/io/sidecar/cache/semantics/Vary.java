package io.sidecar.cache.semantics;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Secondary cache keys (RFC 9111 §4.1): the request header values named by the stored response's Vary,
 * normalised by combining field lines, trimming list elements and collapsing whitespace; headers whose values
 * are case-insensitive by definition are lower-cased. {@code Vary: *} never matches.
 */
public final class Vary {

  /** The value recorded for a header the request did not have (only matches another absent header). */
  public static final String ABSENT = "\u0000";

  private static final Set<String> CASE_INSENSITIVE =
      Set.of("accept", "accept-encoding", "accept-language", "accept-charset");

  private Vary() {
  }

  /**
   * The normalised values of the request headers the response varies on (sorted by lower-case name), an empty
   * map when the response has no Vary, or null for {@code Vary: *}.
   */
  public static Map<String, String> secondaryKey(HeaderFields responseHeaders, HeaderFields requestHeaders) {
    List<String> names = responseHeaders.listElements("Vary");
    if (names.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new TreeMap<>();
    for (String n : names) {
      if (n.equals("*")) {
        return null;
      }
      String lower = n.toLowerCase(Locale.ROOT);
      out.put(lower, normalised(lower, requestHeaders.all(n)));
    }
    return Collections.unmodifiableMap(out);
  }

  /** Does a request select a stored response recorded with {@code storedKey}? */
  public static boolean matches(Map<String, String> storedKey, HeaderFields requestHeaders) {
    if (storedKey == null) {
      return false;
    }
    for (Map.Entry<String, String> e : storedKey.entrySet()) {
      if (!e.getValue().equals(normalised(e.getKey(), requestHeaders.all(e.getKey())))) {
        return false;
      }
    }
    return true;
  }

  static String normalised(String lowerName, List<String> values) {
    if (values.isEmpty()) {
      return ABSENT;
    }
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      for (String element : v.split(",")) {
        String t = element.trim().replaceAll("\\s+", " ");
        if (t.isEmpty()) {
          continue;
        }
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(CASE_INSENSITIVE.contains(lowerName) ? t.toLowerCase(Locale.ROOT) : t);
      }
    }
    return sb.toString();
  }

  /** A compact string form of a secondary key (for storage keys). */
  public static String asString(Map<String, String> key) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : key.entrySet()) {
      if (sb.length() > 0) {
        sb.append('\u001e');
      }
      sb.append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.toString();
  }
}
