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

  private static final ResponseFlag[] FLAGS = ResponseFlag.values();
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
    listenerCounter(noRoute, "sidecar_no_route", "Requests that matched no route (404, flag NR)", listener).increment();
  }

  /**
   * Counts a request rejected as malformed, per listener ({@code sidecar_bad_requests_total}): by Netty's decoder
   * (400, 414, 431) or by the sidecar's own checks (400, flag DPE).
   */
  public void badRequest(String listener) {
    listenerCounter(badRequests, "sidecar_bad_requests", "Requests rejected as malformed HTTP (4xx before any route)",
        listener).increment();
  }

  /**
   * Counts a client connection closed because a request head did not arrive within {@code
   * server.request_header_timeout}, per listener ({@code sidecar_downstream_header_timeouts_total}; {@link
   * RequestHeadTimeout}): answered 408 when part of the head had come, closed quietly when nothing had. Envoy's
   * {@code downstream_rq_header_timeout}.
   */
  public void requestHeaderTimeout(String listener) {
    listenerCounter(headTimeouts, "sidecar_downstream_header_timeouts",
        "Client connections closed because a request head did not arrive within server.request_header_timeout",
        listener).increment();
  }

  /**
   * Counts a request sent again because the kept-alive upstream connection it went out on closed before a response,
   * or an HTTP/2 upstream refused its stream, per cluster ({@code sidecar_upstream_resends_total};
   * {@link UpstreamResend}). Steadily rising, it says the upstream closes idle connections sooner than the cluster's
   * {@code pool.idle_timeout} (set that below it), or is at its stream limit.
   */
  public void upstreamResend(String cluster) {
    counter(resends, "sidecar_upstream_resends", "Requests sent again after a kept-alive upstream connection closed"
        + " under them or an HTTP/2 upstream refused their stream", "cluster", cluster).increment();
  }

  private final ConcurrentHashMap<String, Counter> noRoute = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> badRequests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> headTimeouts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> resends = new ConcurrentHashMap<>();

  private Counter listenerCounter(ConcurrentHashMap<String, Counter> counters, String name, String description,
                                  String listener) {
    return counter(counters, name, description, "listener", listener);
  }

  private Counter counter(ConcurrentHashMap<String, Counter> counters, String name, String description, String tag,
                          String value) {
    Counter counter = counters.get(value); // get first: computeIfAbsent's capturing lambda is an object per call
    return counter != null ? counter : counters.computeIfAbsent(value, v -> Counter.builder(name)
        .description(description).tag(tag, v).register(registry));
  }

  /**
   * A listener's downstream connections (Envoy's {@code downstream_cx_total} and {@code downstream_cx_active}, nginx's
   * accepts and active connections): {@code sidecar_downstream_connections_total} and
   * {@code sidecar_downstream_connections_active}, counted as the kernel hands them over, before any byte is read;
   * {@code sidecar_downstream_connections_overflow_total} counts those closed at once over {@code
   * server.max_connections} (Envoy's {@code downstream_cx_overflow}), which are not in the other two.
   */
  public record ConnectionMeters(Counter accepted, AtomicLong open, Counter overflow) {
    void opened() {
      accepted.increment();
      open.incrementAndGet();
    }

    void closed() {
      open.decrementAndGet();
    }
  }

  private final ConcurrentHashMap<String, ConnectionMeters> connections = new ConcurrentHashMap<>();

  public ConnectionMeters connections(String listener) {
    return connections.computeIfAbsent(listener, l -> {
      AtomicLong open = new AtomicLong();
      io.micrometer.core.instrument.Gauge.builder("sidecar_downstream_connections_active", open, AtomicLong::get)
          .description("Client connections open on the listener").tag("listener", l).register(registry);
      return new ConnectionMeters(Counter.builder("sidecar_downstream_connections")
          .description("Client connections the listener accepted").tag("listener", l).register(registry), open,
          Counter.builder("sidecar_downstream_connections_overflow")
              .description("Client connections closed as soon as accepted: server.max_connections were open")
              .tag("listener", l).register(registry));
    });
  }

  /** A listener's byte-level path counters ({@link FastPathConnection}), looked up once per connection. */
  public record FastPathMeters(Counter requests, Counter handovers, Counter http2Requests) {}

  private final ConcurrentHashMap<String, FastPathMeters> fastPath = new ConcurrentHashMap<>();

  public FastPathMeters fastPath(String listener) {
    return fastPath.computeIfAbsent(listener, l -> new FastPathMeters(
        Counter.builder("sidecar_fast_path_requests")
            .description("Requests relayed by the byte-level HTTP/1.1 path").tag("listener", l).register(registry),
        Counter.builder("sidecar_fast_path_handovers")
            .description("Requests the byte-level path handed to the full HTTP path because it does not take them")
            .tag("listener", l).register(registry),
        Counter.builder("sidecar_fast_path_http2_requests")
            .description("HTTP/2 requests relayed to HTTP/1.1 clusters over the byte-level path's upstream pool")
            .tag("listener", l).register(registry)));
  }

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
    /** Indexed by status class (0-5) and flag: no boxing or map lookup per request. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Counter> counters =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(6 * FLAGS.length);

    private RouteMeters(String route, String cluster) {
      this.route = route;
      this.cluster = cluster;
      this.latency = Timer.builder("sidecar_request_duration")
          .description("Time from request arrival to the end of the response")
          .tags("route", route, "cluster", cluster)
          .serviceLevelObjectives(BUCKETS)
          .register(registry);
      io.micrometer.core.instrument.Gauge.builder("sidecar_requests_in_flight", inFlight, AtomicLong::get)
          .description("Requests of the route started and not yet finished")
          .tags("route", route, "cluster", cluster).register(registry);
    }

    public void started() {
      inFlight.incrementAndGet();
    }

    public void finished(int status, ResponseFlag flag, long nanos) {
      inFlight.decrementAndGet();
      latency.record(nanos, TimeUnit.NANOSECONDS);
      int statusClass = Math.max(0, Math.min(5, status / 100));
      int index = statusClass * FLAGS.length + flag.ordinal();
      Counter counter = counters.get(index);
      if (counter == null) {
        // Registering twice in a race is harmless: the registry returns the meter it already has.
        counter = Counter.builder("sidecar_requests")
            .description("Finished requests by status class and response flag")
            .tags("route", route, "cluster", cluster, "status_class", statusClass + "xx", "flag", flag.code())
            .register(registry);
        counters.set(index, counter);
      }
      counter.increment();
    }
  }
}
