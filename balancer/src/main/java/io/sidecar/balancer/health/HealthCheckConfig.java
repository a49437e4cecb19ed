package io.sidecar.balancer.health;

import static io.sidecar.balancer.ConfigRequire.atLeastOne;
import static io.sidecar.balancer.ConfigRequire.positive;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Active HTTP health checking of a cluster's endpoints, after Envoy's {@code config.core.v3.HealthCheck} with an
 * {@code http_health_check}. Envoy makes interval, timeout and both thresholds required; the defaults here are ours
 * (5 s, 1 s, 3, 2). Invalid values throw IllegalArgumentException naming the field.
 *
 * @param host              Host header of the probe; null: the cluster's name (Envoy's default)
 * @param intervalJitter    a random 0..jitter (whole milliseconds, as Envoy) is added to every interval
 * @param unhealthyInterval interval after a failed check (Envoy's unhealthy_interval, default {@code interval})
 * @param noTrafficInterval interval while the cluster has never carried a request (Envoy default 60 s)
 * @param expectedStatuses  statuses that pass (Envoy's default: 200 only)
 * @param retriableStatuses failing statuses that count towards {@code unhealthyThreshold} instead of marking the
 *                          endpoint unhealthy at once (Envoy's retriable_statuses)
 */
public record HealthCheckConfig(boolean enabled, String path, String host, Duration interval, Duration timeout,
                                Duration intervalJitter, Duration unhealthyInterval, Duration noTrafficInterval,
                                int unhealthyThreshold, int healthyThreshold, List<StatusRange> expectedStatuses,
                                List<StatusRange> retriableStatuses) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_NO_TRAFFIC_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final List<StatusRange> DEFAULT_EXPECTED_STATUSES = List.of(StatusRange.of(200));

    public static final HealthCheckConfig DISABLED = new HealthCheckConfig(false, "/", null, DEFAULT_INTERVAL,
            DEFAULT_TIMEOUT, Duration.ZERO, DEFAULT_INTERVAL, DEFAULT_NO_TRAFFIC_INTERVAL, DEFAULT_UNHEALTHY_THRESHOLD,
            DEFAULT_HEALTHY_THRESHOLD, DEFAULT_EXPECTED_STATUSES, List.of());

    public HealthCheckConfig {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("healthCheck.path must start with /, was " + path);
        }
        if (host != null && host.isBlank()) {
            throw new IllegalArgumentException("healthCheck.host must not be blank (null sends the cluster name)");
        }
        positive("healthCheck.interval", interval);
        positive("healthCheck.timeout", timeout);
        if (intervalJitter == null || intervalJitter.isNegative()) {
            throw new IllegalArgumentException("healthCheck.intervalJitter must not be negative, was " + intervalJitter);
        }
        positive("healthCheck.unhealthyInterval", unhealthyInterval);
        positive("healthCheck.noTrafficInterval", noTrafficInterval);
        atLeastOne("healthCheck.unhealthyThreshold", unhealthyThreshold);
        atLeastOne("healthCheck.healthyThreshold", healthyThreshold);
        Objects.requireNonNull(expectedStatuses, "healthCheck.expectedStatuses");
        if (expectedStatuses.isEmpty()) {
            throw new IllegalArgumentException("healthCheck.expectedStatuses must list at least one status");
        }
        expectedStatuses = List.copyOf(expectedStatuses);
        retriableStatuses = List.copyOf(Objects.requireNonNull(retriableStatuses, "healthCheck.retriableStatuses"));
    }

    /** Enabled checks of {@code path} with every other field at its default. */
    public static Builder builder(String path) {
        return new Builder(path);
    }

    public boolean passes(int status) {
        return matches(expectedStatuses, status);
    }

    public boolean retriable(int status) {
        return matches(retriableStatuses, status);
    }

    private static boolean matches(List<StatusRange> ranges, int status) {
        for (StatusRange r : ranges) {
            if (r.contains(status)) {
                return true;
            }
        }
        return false;
    }

    public static final class Builder {
        private final String path;
        private String host;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration intervalJitter = Duration.ZERO;
        private Duration unhealthyInterval;
        private Duration noTrafficInterval = DEFAULT_NO_TRAFFIC_INTERVAL;
        private int unhealthyThreshold = DEFAULT_UNHEALTHY_THRESHOLD;
        private int healthyThreshold = DEFAULT_HEALTHY_THRESHOLD;
        private List<StatusRange> expectedStatuses = DEFAULT_EXPECTED_STATUSES;
        private List<StatusRange> retriableStatuses = List.of();

        private Builder(String path) {
            this.path = path;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder interval(Duration v) { interval = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder intervalJitter(Duration v) { intervalJitter = v; return this; }
        /** Default: the interval. */
        public Builder unhealthyInterval(Duration v) { unhealthyInterval = v; return this; }
        public Builder noTrafficInterval(Duration v) { noTrafficInterval = v; return this; }
        public Builder unhealthyThreshold(int v) { unhealthyThreshold = v; return this; }
        public Builder healthyThreshold(int v) { healthyThreshold = v; return this; }
        public Builder expectedStatuses(List<StatusRange> v) { expectedStatuses = v; return this; }
        public Builder retriableStatuses(List<StatusRange> v) { retriableStatuses = v; return this; }

        public HealthCheckConfig build() {
            return new HealthCheckConfig(true, path, host, interval, timeout, intervalJitter,
                    unhealthyInterval == null ? interval : unhealthyInterval, noTrafficInterval, unhealthyThreshold,
                    healthyThreshold, expectedStatuses, retriableStatuses);
        }
    }
}
