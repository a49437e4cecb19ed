package io.sidecar.predictor.anomaly;

import java.util.Optional;

/**
 * The detector's verdict on one point: the combined score in [0, 1] (the largest component), its components,
 * the expected value from the seasonal baseline, and the alert if this point opened an episode.
 */
public record AnomalyScore(double score, double spikeScore, double shiftScore, double peerScore, double driftScore,
                           double expected, double robustZ, Optional<Alert> alert) {
    public static final AnomalyScore NONE = new AnomalyScore(0, 0, 0, 0, 0, Double.NaN, 0, Optional.empty());
}
