package io.sidecar.predictor.signals;

import java.time.Instant;

/**
 * One minute of one route, cluster or endpoint: what forecasting, anomaly detection and the history store
 * consume. {@code minute} is the start of the minute (tick-aligned, not wall-clock aligned).
 * {@code meanInFlight} is the average of the in-flight count sampled at each tick (the concurrency N of the
 * USL capacity fit), {@code maxInFlight} the largest sample.
 */
public record MinuteRollup(String kind, String name, Instant minute, long requests, double ratePerSecond,
                           long errors, double errorRate, double p50Ms, double p99Ms, double meanInFlight,
                           double maxInFlight, long bytes, double cacheHitRatio) {
}
