package io.sidecar.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data plane's Prometheus meters. Meters are looked up once per route and cluster (at config load) and
 * per status class and flag on first use, never by building tags on every request.
 */
public final class ProxyMetrics {
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();

  public ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts a request no route took, per listener ({@code sidecar_no_route_total}). */
  public void noRoute(String listener) {
    noRoute.computeIfAbsent(listener, l -> Counter.builder("sidecar_no_route")
        .description("Requests that matched no route (404, flag NR)")
        .tag("listener", l).register(registry)).increment();
  }

  private final ConcurrentHashMap<String, Counter> noRoute = new ConcurrentHashMap<>();

  /** The meters of one route and cluster pair (created once, reused across reloads). */
  public RouteMeters route(String route, String cluster) {
    return routes.computeIfAbsent(route + '\u0000' + cluster, k -> new RouteMeters(route, cluster));
  }

  /** Meters of one route and cluster; record() is called once per finished request. */
  public final class RouteMeters {
    private final String route;
    private final String cluster;
    private final Timer latency;
    private final AtomicLong inFlight = new AtomicLong();
    private final ConcurrentHashMap<Integer, Counter> counters = new ConcurrentHashMap<>();

    private RouteMeters(String route, String cluster) {
      this.route = route;
      this.cluster = cluster;
      this.latency = Timer.builder("sidecar_request_duration")
          .description("Time from request arrival to the end of the response")
          .tags("route", route, "cluster", cluster)
          .serviceLevelObjectives(BUCKETS)
          .register(registry);
      registry.gauge("sidecar_requests_in_flight", io.micrometer.core.instrument.Tags.of("route", route, "cluster", cluster), inFlight);
    }

    public void started() {
      inFlight.incrementAndGet();
    }

    public void finished(int status, ResponseFlag flag, long nanos) {
      inFlight.decrementAndGet();
      latency.record(nanos, TimeUnit.NANOSECONDS);
      int key = (status / 100) * 100 + flag.ordinal();
      counters.computeIfAbsent(key, k -> Counter.builder("sidecar_requests")
          .description("Finished requests by status class and response flag")
          .tags("route", route, "cluster", cluster, "status_class", (status / 100) + "xx", "flag", flag.code())
          .register(registry)).increment();
    }
  }
}
