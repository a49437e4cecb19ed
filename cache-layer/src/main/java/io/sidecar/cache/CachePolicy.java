package io.sidecar.cache;

import io.sidecar.cache.semantics.CacheKeys;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Per-route cache policy (the {@code cache:} block of a route). Build with {@link #builder(String)}.
 *
 * @param route route name (stats label)
 * @param enabled caching on for this route; off: every request is BYPASS
 * @param defaultTtl lifetime for responses without explicit freshness or Last-Modified, or null for none
 * @param maxObjectSize larger bodies pass through uncached
 * @param keyHeaders request headers added to the primary key
 * @param ignoredQueryParams query parameters dropped from the key
 * @param keptQueryParams when not empty, only these query parameters are kept in the key
 * @param sortQuery sort query parameters in the key
 * @param heuristic allow heuristic freshness (RFC 9111 §4.2.2), default TTL and the adaptive TTL
 * @param heuristicFraction fraction of (Date - Last-Modified)
 * @param heuristicMax cap of heuristic freshness
 * @param bypassPathPrefixes requests under these paths are not cached
 * @param bypassRequestHeaders requests carrying any of these headers are not cached (e.g. Cookie)
 * @param adaptiveTtl learn heuristic lifetimes per key prefix from revalidation outcomes
 * @param adaptiveMin lower bound of learnt lifetimes
 * @param adaptiveMax upper bound of learnt lifetimes
 * @param refreshAhead revalidate hot entries in the background before they expire
 */
public record CachePolicy(String route, boolean enabled, Duration defaultTtl, long maxObjectSize,
    List<String> keyHeaders, Set<String> ignoredQueryParams, Set<String> keptQueryParams, boolean sortQuery,
    boolean heuristic, double heuristicFraction, Duration heuristicMax, List<String> bypassPathPrefixes,
    List<String> bypassRequestHeaders, boolean adaptiveTtl, Duration adaptiveMin, Duration adaptiveMax,
    boolean refreshAhead) {

  public static final long DEFAULT_MAX_OBJECT_SIZE = 1024 * 1024;
  public static final double DEFAULT_HEURISTIC_FRACTION = 0.1; // RFC 9111 §4.2.2
  public static final Duration DEFAULT_HEURISTIC_MAX = Duration.ofHours(24);
  public static final Duration DEFAULT_ADAPTIVE_MIN = Duration.ofSeconds(1);
  public static final Duration DEFAULT_ADAPTIVE_MAX = Duration.ofHours(1);

  public CachePolicy {
    require(route != null && !route.isBlank(), "route", "must not be empty");
    require(defaultTtl == null || !defaultTtl.isNegative(), "default_ttl", "must not be negative");
    require(maxObjectSize > 0, "max_object_size", "must be positive");
    require(heuristicFraction >= 0 && heuristicFraction <= 1, "heuristic_fraction", "must be in [0,1]");
    require(heuristicMax != null && !heuristicMax.isNegative(), "heuristic_max", "must not be negative");
    require(adaptiveMin != null && adaptiveMax != null && !adaptiveMin.isNegative()
        && adaptiveMax.compareTo(adaptiveMin) >= 0, "adaptive_ttl", "need 0 <= min <= max");
    require(!(!ignoredQueryParams.isEmpty() && !keptQueryParams.isEmpty()), "query",
        "use either ignore or keep lists, not both");
    keyHeaders = List.copyOf(keyHeaders);
    ignoredQueryParams = Set.copyOf(ignoredQueryParams);
    keptQueryParams = Set.copyOf(keptQueryParams);
    bypassPathPrefixes = List.copyOf(bypassPathPrefixes);
    bypassRequestHeaders = List.copyOf(bypassRequestHeaders);
  }

  private static void require(boolean ok, String field, String what) {
    if (!ok) {
      throw new IllegalArgumentException("cache." + field + ": " + what);
    }
  }

  public static Builder builder(String route) {
    return new Builder(route);
  }

  /** The default policy of a route with caching on. */
  public static CachePolicy defaults(String route) {
    return builder(route).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder(route);
    b.enabled = enabled;
    b.defaultTtl = defaultTtl;
    b.maxObjectSize = maxObjectSize;
    b.keyHeaders = keyHeaders;
    b.ignoredQueryParams = ignoredQueryParams;
    b.keptQueryParams = keptQueryParams;
    b.sortQuery = sortQuery;
    b.heuristic = heuristic;
    b.heuristicFraction = heuristicFraction;
    b.heuristicMax = heuristicMax;
    b.bypassPathPrefixes = bypassPathPrefixes;
    b.bypassRequestHeaders = bypassRequestHeaders;
    b.adaptiveTtl = adaptiveTtl;
    b.adaptiveMin = adaptiveMin;
    b.adaptiveMax = adaptiveMax;
    b.refreshAhead = refreshAhead;
    return b;
  }

  CacheKeys.KeyRules keyRules() {
    return new CacheKeys.KeyRules(ignoredQueryParams, keptQueryParams, sortQuery, keyHeaders);
  }

  public static final class Builder {
    private final String route;
    private boolean enabled = true;
    private Duration defaultTtl;
    private long maxObjectSize = DEFAULT_MAX_OBJECT_SIZE;
    private List<String> keyHeaders = List.of();
    private Set<String> ignoredQueryParams = Set.of();
    private Set<String> keptQueryParams = Set.of();
    private boolean sortQuery;
    private boolean heuristic = true;
    private double heuristicFraction = DEFAULT_HEURISTIC_FRACTION;
    private Duration heuristicMax = DEFAULT_HEURISTIC_MAX;
    private List<String> bypassPathPrefixes = List.of();
    private List<String> bypassRequestHeaders = List.of();
    private boolean adaptiveTtl;
    private Duration adaptiveMin = DEFAULT_ADAPTIVE_MIN;
    private Duration adaptiveMax = DEFAULT_ADAPTIVE_MAX;
    private boolean refreshAhead;

    private Builder(String route) {
      this.route = route;
    }

    public Builder enabled(boolean v) { enabled = v; return this; }
    public Builder defaultTtl(Duration v) { defaultTtl = v; return this; }
    public Builder maxObjectSize(long v) { maxObjectSize = v; return this; }
    public Builder keyHeaders(List<String> v) { keyHeaders = v; return this; }
    public Builder ignoredQueryParams(Set<String> v) { ignoredQueryParams = v; return this; }
    public Builder keptQueryParams(Set<String> v) { keptQueryParams = v; return this; }
    public Builder sortQuery(boolean v) { sortQuery = v; return this; }
    public Builder heuristic(boolean v) { heuristic = v; return this; }
    public Builder heuristicFraction(double v) { heuristicFraction = v; return this; }
    public Builder heuristicMax(Duration v) { heuristicMax = v; return this; }
    public Builder bypassPathPrefixes(List<String> v) { bypassPathPrefixes = v; return this; }
    public Builder bypassRequestHeaders(List<String> v) { bypassRequestHeaders = v; return this; }
    public Builder adaptiveTtl(boolean v) { adaptiveTtl = v; return this; }
    public Builder adaptiveMin(Duration v) { adaptiveMin = v; return this; }
    public Builder adaptiveMax(Duration v) { adaptiveMax = v; return this; }
    public Builder refreshAhead(boolean v) { refreshAhead = v; return this; }

    public CachePolicy build() {
      return new CachePolicy(route, enabled, defaultTtl, maxObjectSize, keyHeaders, ignoredQueryParams,
          keptQueryParams, sortQuery, heuristic, heuristicFraction, heuristicMax, bypassPathPrefixes,
          bypassRequestHeaders, adaptiveTtl, adaptiveMin, adaptiveMax, refreshAhead);
    }
  }
}
