package io.sidecar.balancer;

/**
 * One endpoint in {@code GET /clusters/{name}}. Latencies in milliseconds; NaN where unknown.
 *
 * @param trafficShare         this endpoint's fraction of recent picks (decayed over the traffic-share window)
 * @param predictedLatencyMs   the predictive model's expected latency of a request sent now
 * @param costMs               predicted latency + failure penalty (what {@code predictive} minimises)
 * @param confidence           recent evidence behind the prediction, 0..1
 * @param modelFallback        true while the model has too little data and peak-EWMA stands in
 * @param avoidedReason        why the balancer currently avoids this endpoint, null when it does not
 * @param breakerState         the endpoint's own breaker state, null without per-endpoint breakers
 * @param healthCheck          active health check status: "healthy", "unhealthy", "pending"; null when not configured
 */
public record EndpointSnapshot(String address, int weight, int inFlight, long requests, long failures,
                               double peakEwmaMs, double p50Ms, double p95Ms, double predictedLatencyMs,
                               double costMs, double failureProbability, double trafficShare, double confidence,
                               boolean modelFallback, double slowStartFactor, boolean ejected, String ejectionReason,
                               double ejectedForMs, int ejectionMultiplier, String breakerState, String healthCheck,
                               String avoidedReason) {
}
