package io.sidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * Active HTTP health checking of a cluster's endpoints (Envoy {@code HealthCheck} with an {@code http_health_check}).
 *
 * @param host              Host header of the probe; null: the cluster's name (Envoy's default)
 * @param unhealthyInterval interval for endpoints marked unhealthy (Envoy default: {@code interval})
 * @param noTrafficInterval interval while the cluster has never carried traffic (Envoy default 60 s)
 * @param expectedStatuses  statuses that pass (inclusive ranges); Envoy's default is 200 only
 * @param retriableStatuses failing statuses that count towards {@code unhealthyThreshold} instead of marking the
 *                          endpoint unhealthy at once
 */
public record HealthCheckSpec(String path, String host, Duration interval, Duration timeout,
                              Duration intervalJitter, Duration unhealthyInterval, Duration noTrafficInterval,
                              int unhealthyThreshold, int healthyThreshold, List<StatusRange> expectedStatuses,
                              List<StatusRange> retriableStatuses) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration DEFAULT_NO_TRAFFIC_INTERVAL = Duration.ofSeconds(60);
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;

  /** HTTP statuses {@code first..last}, both included. */
  public record StatusRange(int first, int last) {}
}
