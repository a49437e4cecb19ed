package io.sidecar.predictor.anomaly;

import java.time.Instant;

/**
 * One alert: raised at the first point of an anomaly episode, never again until the episode ends.
 *
 * @param kind {@code spike}, {@code level_shift}, {@code drift} or {@code peer_outlier}
 * @param severity {@code critical} when the score is at least 0.99, otherwise {@code warning}
 */
public record Alert(String metric, Instant at, double score, String severity, String kind, String explanation,
                    double value, double expected) {
}
