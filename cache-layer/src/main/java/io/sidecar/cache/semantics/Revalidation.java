package io.sidecar.cache.semantics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validation of stored responses with the origin (RFC 9111 §4.3): conditional request headers (§4.3.1),
 * selecting the stored response a 304 applies to (§4.3.4) and updating its header fields (§3.2).
 */
public final class Revalidation {

  /** RFC 9110 §7.6.1 hop-by-hop fields, never stored or updated. */
  public static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
      "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

  private Revalidation() {
  }

  /** If-None-Match with the stored entity tag and If-Modified-Since with its Last-Modified (§4.3.1). */
  public static Map<String, String> conditionalHeaders(StoredResponse stored) {
    Map<String, String> out = new LinkedHashMap<>();
    String etag = stored.headers().first("ETag");
    if (etag != null) {
      out.put("If-None-Match", etag.trim());
    }
    String lastModified = stored.headers().first("Last-Modified");
    if (lastModified != null && HttpDates.parse(lastModified) != null) {
      out.put("If-Modified-Since", lastModified.trim());
    }
    return out;
  }

  public static boolean hasValidators(StoredResponse stored) {
    return !conditionalHeaders(stored).isEmpty();
  }

  /** §4.3.4: does this 304 apply to the stored response? */
  public static boolean selects(HeaderFields notModified, StoredResponse stored) {
    String etag304 = notModified.first("ETag");
    String storedEtag = stored.headers().first("ETag");
    if (etag304 != null) {
      return storedEtag != null && (Conditionals.isWeak(etag304) || Conditionals.isWeak(storedEtag)
          ? Conditionals.weakEquals(etag304, storedEtag) : Conditionals.strongEquals(etag304, storedEtag));
    }
    String lm304 = notModified.first("Last-Modified");
    if (lm304 != null) {
      String storedLm = stored.headers().first("Last-Modified");
      return storedLm != null && lm304.trim().equals(storedLm.trim());
    }
    return true; // no validator in the 304: it applies to the only stored response we validated
  }

  /**
   * §3.2/§4.3.4: the stored response with its header fields replaced by those of the 304, except hop-by-hop
   * fields, fields listed in Connection and Content-Length; the times restart from this exchange.
   */
  public static StoredResponse update(StoredResponse stored, HeaderFields notModified, long requestTime,
      long responseTime) {
    List<String> excluded = new ArrayList<>(HOP_BY_HOP);
    excluded.add("content-length");
    for (String c : notModified.listElements("Connection")) {
      excluded.add(c.toLowerCase(Locale.ROOT));
    }
    Set<String> excludedSet = HeaderFields.lowerSet(excluded);
    Map<String, List<String>> replacements = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : notModified.lines()) {
      String lower = e.getKey().toLowerCase(Locale.ROOT);
      if (!excludedSet.contains(lower)) {
        replacements.computeIfAbsent(lower, k -> new ArrayList<>()).add(e.getKey() + "\u0000" + e.getValue());
      }
    }
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, String> e : stored.headers().lines()) {
      if (!replacements.containsKey(e.getKey().toLowerCase(Locale.ROOT))) {
        out.add(e);
      }
    }
    if (!replacements.containsKey("age")) {
      // the stored Age described the old exchange; the new one has none
      out.removeIf(e -> e.getKey().equalsIgnoreCase("Age"));
    }
    for (List<String> lines : replacements.values()) {
      for (String nv : lines) {
        int i = nv.indexOf('\u0000');
        out.add(Map.entry(nv.substring(0, i), nv.substring(i + 1)));
      }
    }
    return new StoredResponse(stored.status(), HeaderFields.of(out), requestTime, responseTime);
  }
}
