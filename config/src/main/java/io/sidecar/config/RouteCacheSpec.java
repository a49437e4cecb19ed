package io.sidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * Caching on a route. {@code defaultTtl} applies to responses without freshness information (0 = only what
 * RFC 9111 allows); {@code keyHeaders} are request headers added to the cache key.
 */
public record RouteCacheSpec(boolean enabled, Duration defaultTtl, long maxObjectSize, List<String> keyHeaders,
                             List<String> ignoreQueryParams, boolean sortQuery) {
  public static final long DEFAULT_MAX_OBJECT_SIZE = 1024 * 1024;
}
