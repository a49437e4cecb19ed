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
 * @param peerInFlight         in-flight count of the endpoint's own load report ({@link PeerLoad}); this and the
 *                             other peer fields are null when there is no report younger than predictive.peerTtl
 * @param peerP50Ms            p50 of that report (null also when it carried none)
 * @param peerErrorRate        error ratio of that report (null also when it carried none)
 * @param peerAgeMs            age of that report
 */
public record EndpointSnapshot(String address, int weight, int inFlight, long requests, long failures,
                               double peakEwmaMs, double p50Ms, double p95Ms, double predictedLatencyMs,
                               double costMs, double failureProbability, double trafficShare, double confidence,
                               boolean modelFallback, double slowStartFactor, boolean ejected, String ejectionReason,
                               double ejectedForMs, int ejectionMultiplier, String breakerState, String healthCheck,
                               String avoidedReason, Long peerInFlight, Double peerP50Ms, Double peerErrorRate,
                               Double peerAgeMs) {
}
