package io.sidecar.proxy;

import io.sidecar.config.ClusterSpec;
import io.sidecar.config.SidecarConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The data plane's state across config versions: the current {@link RoutingSnapshot}, swapped atomically,
 * and the upstream clusters, which are carried over from one snapshot to the next whenever their transport
 * settings are unchanged (so pools, connections and endpoint counters survive a reload).
 */
public final class ProxyRuntime {
  private final Vertx vertx;
  private final ProxyMetrics metrics;
  private final AccessLog accessLog;
  private final io.sidecar.cache.HttpCache cache;
  private volatile io.sidecar.predictor.signals.Signals signals =
      new io.sidecar.predictor.signals.Signals(java.time.Clock.systemUTC());
  private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>();
  /** A deployed {@link HealthProber} and the balancer it reports to. */
  private record Prober(io.sidecar.balancer.ClusterBalancer balancer, io.vertx.core.Future<String> deployment) {
    void stop(Vertx vertx) {
      deployment.onSuccess(vertx::undeploy);
    }
  }

  /** Active health-check probers by cluster name (only clusters with a health_check). */
  private final Map<String, Prober> probers = new HashMap<>();

  public ProxyRuntime(Vertx vertx, ProxyMetrics metrics, AccessLog accessLog) {
    this(vertx, metrics, accessLog, null);
  }

  /** {@code cache}: the response cache for routes with {@code cache.enabled}; null for none. */
  public ProxyRuntime(Vertx vertx, ProxyMetrics metrics, AccessLog accessLog, io.sidecar.cache.HttpCache cache) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.cache = cache;
  }

  public io.sidecar.cache.HttpCache cache() { return cache; }

  /** Where per-route traffic signals are recorded (the predictor's, once it runs). */
  public io.sidecar.predictor.signals.Signals signals() { return signals; }

  public void useSignals(io.sidecar.predictor.signals.Signals signals) { this.signals = signals; }

  private volatile io.sidecar.fault.FaultRegistry faults;

  /** Fault rules consulted for every request (null: no fault stage). */
  public io.sidecar.fault.FaultRegistry faults() { return faults; }

  public void useFaults(io.sidecar.fault.FaultRegistry faults) { this.faults = faults; }

  public Vertx vertx() { return vertx; }
  public ProxyMetrics metrics() { return metrics; }
  public AccessLog accessLog() { return accessLog; }

  public RoutingSnapshot snapshot() {
    return current.get();
  }

  /** Builds and installs the snapshot for {@code config}; clusters no longer used are closed after the grace. */
  public synchronized RoutingSnapshot apply(long version, SidecarConfig config) {
    RoutingSnapshot previous = current.get();
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    for (ClusterSpec spec : config.clusters()) {
      UpstreamCluster existing = previous == null ? null : previous.cluster(spec.name());
      if (existing != null && existing.sameTransport(spec)) {
        clusters.put(spec.name(), existing.withSpec(spec));
      } else {
        clusters.put(spec.name(), UpstreamCluster.create(vertx, spec, metrics.registry()));
      }
    }
    RoutingSnapshot next = new RoutingSnapshot(version, config, clusters, metrics, signals, this::rateLimit);
    rateLimits.keySet().retainAll(config.routes().stream().map(io.sidecar.config.RouteSpec::name).toList());
    current.set(next);
    updateProbers(clusters);
    if (previous != null) {
      Duration grace = config.server().shutdownGrace();
      previous.clusters().forEach((name, old) -> {
        UpstreamCluster kept = clusters.get(name);
        if (kept == null || !kept.sharesClientsWith(old)) old.close(grace);
      });
    }
    return next;
  }

  /**
   * One prober per cluster with a health_check, bound to that cluster's balancer: kept while the balancer is (it
   * reads path, host, timeout and intervals from the balancer's config at every check), replaced when the cluster
   * was rebuilt, stopped when the cluster or its health_check is gone.
   */
  private void updateProbers(Map<String, UpstreamCluster> clusters) {
    for (var it = probers.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      UpstreamCluster c = clusters.get(entry.getKey());
      if (c == null || c.spec().healthCheck() == null || c.balancer() != entry.getValue().balancer()) {
        entry.getValue().stop(vertx);
        it.remove();
      }
    }
    clusters.forEach((name, c) -> {
      if (c.spec().healthCheck() != null && !probers.containsKey(name)) {
        probers.put(name, new Prober(c.balancer(), vertx.deployVerticle(new HealthProber(c.spec(), c.balancer(), c.tls()))));
      }
    });
  }

  private final Map<String, RouteRateLimit> rateLimits = new java.util.concurrent.ConcurrentHashMap<>();

  private record RouteRateLimit(io.sidecar.config.RateLimitSpec spec, io.sidecar.balancer.limit.RateLimit limit) {}

  /** A route's rate limit: the running one while its setting is unchanged (a reload does not refill it), else new. */
  private io.sidecar.balancer.limit.RateLimit rateLimit(io.sidecar.config.RouteSpec route) {
    io.sidecar.config.RateLimitSpec spec = route.rateLimit();
    if (spec == null) {
      rateLimits.remove(route.name());
      return null;
    }
    return rateLimits.compute(route.name(), (name, running) -> running != null && running.spec().equals(spec) ? running
        : new RouteRateLimit(spec, new io.sidecar.balancer.limit.RateLimit(spec.requests(), spec.per(), spec.burst(),
            System.nanoTime()))).limit();
  }

  /** Replaces a cluster's endpoints at run time (control API); false when there is no such cluster. */
  public boolean replaceEndpoints(String cluster, List<io.sidecar.balancer.Endpoint> endpoints) {
    UpstreamCluster c = snapshot().cluster(cluster);
    if (c == null) return false;
    c.replaceEndpoints(endpoints);
    return true;
  }

  public synchronized void close(Duration grace) {
    probers.values().forEach(p -> p.stop(vertx));
    probers.clear();
    RoutingSnapshot s = current.get();
    if (s != null) s.clusters().values().forEach(c -> c.close(grace));
  }
}
