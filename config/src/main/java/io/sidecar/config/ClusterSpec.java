package io.sidecar.config;

import java.util.List;

/**
 * An upstream cluster. {@code circuitBreaker}, {@code outlierDetection}, {@code hedge}, {@code healthCheck} are null
 * when not configured.
 *
 * @param protocol how we talk to the endpoints: http1, h2 (over TLS, ALPN) or h2c (prior knowledge)
 * @param service  the service the endpoints' own sidecars publish their load snapshots for (the peer channel the
 *                 balancer listens to); the cluster's name unless set
 */
public record ClusterSpec(String name, String balancer, List<EndpointSpec> endpoints, PoolSpec pool,
                          UpstreamTlsSpec tls, String protocol, CircuitBreakerSpec circuitBreaker,
                          OutlierDetectionSpec outlierDetection, HedgeSpec hedge, LimitsSpec limits,
                          HealthCheckSpec healthCheck, String service) {
  public static final List<String> BALANCERS =
      List.of("round_robin", "weighted_round_robin", "least_request", "p2c_peak_ewma", "predictive");
  public static final List<String> PROTOCOLS = List.of("http1", "h2", "h2c");
  public static final String DEFAULT_BALANCER = "predictive";

  public record EndpointSpec(HostPort address, int weight) {}
}
