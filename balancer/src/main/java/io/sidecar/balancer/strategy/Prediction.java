package io.sidecar.balancer.strategy;

/**
 * What the predictive model expects from sending one request to an endpoint now, with the parts it came from.
 *
 * @param predictedLatencyNanos max(model latency at the current load level, upstream p50 (response hint, else
 *                              peer report), silent time)
 * @param modelLatencyNanos     the latency-by-load model's value (or the peak-EWMA fallback)
 * @param silentNanos           time without a response while requests are in flight
 * @param failureProbability    decayed failure rate
 * @param costNanos             predicted latency + p(fail) · failure penalty: what the strategy minimises
 * @param loadLevel             requests in flight the new request would join, itself included
 * @param confidence            recent evidence in [0, 1): w / (w + 5), w = decayed sample weight
 * @param fallback              true while the endpoint has fewer than minSamples observations (peak-EWMA cost used)
 * @param peerP50Nanos          the peer-reported p50 used as a floor (NaN when no fresh peer report applies)
 */
public record Prediction(double predictedLatencyNanos, double modelLatencyNanos, long silentNanos,
                         double failureProbability, double costNanos, int loadLevel, double confidence,
                         boolean fallback, double peerP50Nanos) {
}
