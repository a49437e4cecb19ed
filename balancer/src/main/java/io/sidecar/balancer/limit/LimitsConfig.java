package io.sidecar.balancer.limit;

import static io.sidecar.balancer.ConfigRequire.atLeastOne;

/**
 * Envoy's per-cluster circuit-breaking thresholds ({@code circuit_breakers.thresholds}, Envoy defaults 1024 / 1024 /
 * 1024 / 3). Overflow answers 503 with flag {@code LO}. Invalid values throw IllegalArgumentException naming the field.
 */
public record LimitsConfig(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {

    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;
    public static final int DEFAULT_MAX_REQUESTS = 1024;
    public static final int DEFAULT_MAX_RETRIES = 3;

    public static final LimitsConfig DEFAULTS = new LimitsConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_REQUESTS,
            DEFAULT_MAX_REQUESTS, DEFAULT_MAX_RETRIES);

    public LimitsConfig {
        atLeastOne("limits.maxConnections", maxConnections);
        atLeastOne("limits.maxPendingRequests", maxPendingRequests);
        atLeastOne("limits.maxRequests", maxRequests);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("limits.maxRetries must be >= 0, was " + maxRetries);
        }
    }

}
