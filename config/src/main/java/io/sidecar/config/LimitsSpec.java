package io.sidecar.config;

/**
 * Envoy-style cluster limits (overflow: 503 {@code LO}) and the optional adaptive concurrency limit (gradient
 * controller; excess load shed with 503 {@code AC} before latency collapses).
 */
public record LimitsSpec(int maxRequests, int maxRetries, boolean adaptiveConcurrency, int minConcurrency,
                         int maxConcurrency) {
  public static final LimitsSpec DEFAULTS = new LimitsSpec(1024, 3, false, 3, 1000);
}
