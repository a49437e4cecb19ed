package io.sidecar.proxy;

import io.sidecar.config.RouteSpec;
import io.sidecar.config.SidecarConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one request reads, compiled once per config version: route tables per listener, each route's
 * split and meters, the clusters. Immutable; requests in flight keep the snapshot they started with.
 */
public final class RoutingSnapshot {
  /**
   * A route with what the hot path needs precomputed. {@code byteLevel}: the byte-level path may serve it
   * ({@link FastPath#eligible}); {@code byteLevelHits}: it may answer the route's fresh cache hits
   * ({@link FastPath#hitsEligible}); {@code rateLimit}: the route's local rate limit, or null; {@code requestRules},
   * {@code responseRules}: its header rules as the byte-level path applies them, or null (none, or not on bytes);
   * {@code oneTry}: a route without retries (and with a timeout): the tries every byte-level request of it shares.
   */
  public record CompiledRoute(RouteSpec spec, WeightedSplit split, List<SplitTarget> targets,
                              io.sidecar.balancer.retry.RetryPolicy retry, io.sidecar.cache.CachePolicy cache,
                              io.sidecar.predictor.signals.TrafficSignals signals, boolean servingSide,
                              boolean byteLevel, boolean byteLevelHits,
                              io.sidecar.balancer.limit.RateLimit rateLimit, HeaderRules requestRules,
                              HeaderRules responseRules, RawTries oneTry) {
    /** The split entry for this request: drawn by weight, or the only one (no draw) for a single cluster. */
    public SplitTarget pick() {
      if (targets.size() == 1) return targets.get(0);
      return targets.get(split.pick(java.util.concurrent.ThreadLocalRandom.current().nextInt(split.totalWeight())));
    }
  }

  /** One cluster of a route's split and the route's meters for it, resolved at config load. */
  public record SplitTarget(UpstreamCluster cluster, ProxyMetrics.RouteMeters meters) {}

  private final long version;
  private final SidecarConfig config;
  private final Map<String, RouteTable> tables;
  private final Map<String, UpstreamCluster> clusters;

  /** Routes on a listener named {@value #SERVING_LISTENER} serve the local service: they send load hints back. */
  public static final String SERVING_LISTENER = "inbound";

  /** {@code rateLimits}: each route's rate limit (kept across versions while the route's setting stays), or null. */
  RoutingSnapshot(long version, SidecarConfig config, Map<String, UpstreamCluster> clusters, ProxyMetrics metrics,
                  io.sidecar.predictor.signals.Signals signals,
                  java.util.function.Function<RouteSpec, io.sidecar.balancer.limit.RateLimit> rateLimits) {
    this.version = version;
    this.config = config;
    this.clusters = Map.copyOf(clusters);
    clusters.values().forEach(c -> c.signals().bind(signals));
    List<CompiledRoute> routes = new java.util.ArrayList<>();
    for (RouteSpec r : config.routes()) {
      List<SplitTarget> targets = r.split().stream()
          .map(w -> new SplitTarget(clusters.get(w.cluster()), metrics.route(r.name(), w.cluster()))).toList();
      var retryConfig = BalancerSettings.retry(r.retry());
      var retry = retryConfig == null ? null : new io.sidecar.balancer.retry.RetryPolicy(retryConfig);
      var cache = cachePolicy(r);
      boolean servingSide = SERVING_LISTENER.equals(r.listener());
      HeaderRules requestRules = HeaderRules.request(r.requestHeaders(), r.hostRewrite());
      HeaderRules responseRules = HeaderRules.response(r.responseHeaders());
      routes.add(new CompiledRoute(r, new WeightedSplit(r.split()), targets, retry, cache, signals.route(r.name()),
          servingSide, FastPath.eligible(r, targets, cache != null, servingSide, requestRules, responseRules),
          FastPath.hitsEligible(r, cache != null), rateLimits.apply(r), requestRules, responseRules,
          retry == null && r.hasTimeout() ? RawTries.oneTry(r.timeout().toNanos()) : null));
    }
    Map<String, RouteTable> tables = new HashMap<>();
    for (var listener : config.listeners()) {
      List<CompiledRoute> own = routes.stream().filter(r -> listener.name().equals(r.spec().listener())).toList();
      tables.put(listener.name(), new RouteTable(own));
    }
    this.tables = Map.copyOf(tables);
  }

  /** The cache module's policy for a route with {@code cache.enabled}, else null. */
  static io.sidecar.cache.CachePolicy cachePolicy(RouteSpec r) {
    var c = r.cache();
    if (c == null || !c.enabled()) return null;
    var b = io.sidecar.cache.CachePolicy.builder(r.name())
        .enabled(true)
        .maxObjectSize(c.maxObjectSize())
        .keyHeaders(c.keyHeaders())
        .ignoredQueryParams(java.util.Set.copyOf(c.ignoreQueryParams()))
        .keptQueryParams(java.util.Set.copyOf(c.keepQueryParams()))
        .sortQuery(c.sortQuery())
        .bypassPathPrefixes(c.bypassPathPrefixes())
        .bypassRequestHeaders(c.bypassRequestHeaders())
        .heuristic(c.heuristic())
        .adaptiveTtl(c.adaptiveTtl())
        .refreshAhead(c.refreshAhead());
    if (!c.defaultTtl().isZero()) b.defaultTtl(c.defaultTtl());
    return b.build();
  }

  public long version() { return version; }
  public SidecarConfig config() { return config; }
  public RouteTable table(String listener) { return tables.get(listener); }
  public UpstreamCluster cluster(String name) { return clusters.get(name); }
  public Map<String, UpstreamCluster> clusters() { return clusters; }
}
