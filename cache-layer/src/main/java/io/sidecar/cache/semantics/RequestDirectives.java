package io.sidecar.cache.semantics;

/**
 * The request directives of RFC 9111 §5.2.1, with {@code Pragma: no-cache} honoured only when the request
 * has no Cache-Control field (RFC 9111 §5.4).
 *
 * @param maxAgeSeconds null when absent
 * @param maxStaleSeconds null when absent, {@link Long#MAX_VALUE} when present without a value
 * @param minFreshSeconds null when absent
 * @param staleIfErrorSeconds null when absent (RFC 5861 §4 allows it on requests too)
 */
public record RequestDirectives(boolean noCache, boolean noStore, Long maxAgeSeconds, Long maxStaleSeconds,
    Long minFreshSeconds, boolean onlyIfCached, Long staleIfErrorSeconds) {

  public static final RequestDirectives NONE = new RequestDirectives(false, false, null, null, null, false, null);

  public static RequestDirectives of(HeaderFields requestHeaders) {
    if (!requestHeaders.contains("Cache-Control")) {
      boolean pragmaNoCache = false;
      for (String p : requestHeaders.listElements("Pragma")) {
        pragmaNoCache |= p.equalsIgnoreCase("no-cache");
      }
      return pragmaNoCache ? new RequestDirectives(true, false, null, null, null, false, null) : NONE;
    }
    Directives d = Directives.parse(requestHeaders.all("Cache-Control"));
    Long maxStale = null;
    if (d.has("max-stale")) {
      Long s = d.seconds("max-stale");
      // no argument: any staleness is accepted (RFC 9111 §5.2.1.2)
      maxStale = (d.value("max-stale") == null || s == Directives.INVALID) ? Long.MAX_VALUE : s;
    }
    return new RequestDirectives(d.has("no-cache"), d.has("no-store"), valid(d.seconds("max-age")), maxStale,
        valid(d.seconds("min-fresh")), d.has("only-if-cached"), valid(d.seconds("stale-if-error")));
  }

  private static Long valid(Long s) {
    return s == null || s == Directives.INVALID ? null : s;
  }
}
