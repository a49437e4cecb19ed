package io.sidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * Caching on a route. {@code defaultTtl} applies to responses without freshness information (0 = only what
 * RFC 9111 allows); {@code keyHeaders} are request headers added to the cache key; {@code keepQueryParams}, when
 * not empty, keeps only those parameters in the key; requests under {@code bypassPathPrefixes} or carrying one of
 * {@code bypassRequestHeaders} go to the origin uncached. {@code heuristic}: RFC 9111 §4.2.2 freshness from
 * Last-Modified; {@code adaptiveTtl}: learn that heuristic per key prefix from revalidations; {@code refreshAhead}:
 * revalidate hot entries shortly before they expire.
 */
public record RouteCacheSpec(boolean enabled, Duration defaultTtl, long maxObjectSize, List<String> keyHeaders,
                             List<String> ignoreQueryParams, List<String> keepQueryParams, boolean sortQuery,
                             List<String> bypassPathPrefixes, List<String> bypassRequestHeaders, boolean heuristic,
                             boolean adaptiveTtl, boolean refreshAhead) {
  public static final long DEFAULT_MAX_OBJECT_SIZE = 1024 * 1024;
}
