package io.sidecar.predictor.scaling;

/**
 * Per-instance capacity in requests per second and how it was found: {@code usl} (fit), {@code slo_knee}
 * (the highest observed throughput still within the latency SLO) or {@code configured}. {@code usl} is null
 * unless a fit was made.
 */
public record CapacityEstimate(double requestsPerSecond, String method, UslModel usl, int observations) {
}
