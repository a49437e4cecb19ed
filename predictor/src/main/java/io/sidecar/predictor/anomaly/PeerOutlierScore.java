package io.sidecar.predictor.anomaly;

import io.sidecar.predictor.stats.RobustWindow;

/**
 * Peer comparison: how far this instance's value sits from its peers'. Envoy's success-rate outlier detection
 * ejects a host whose success rate is below mean - stdev_factor * stdev of the cluster (stdev_factor 1.9,
 * envoy/source/common/upstream/outlier_detection_impl.cc); we use the robust analogue, median and 1.4826*MAD
 * of the peers, and need at least {@link #MIN_PEERS} peers. Only the "worse" direction counts (higher latency,
 * higher error rate).
 */
public final class PeerOutlierScore {
    public static final int MIN_PEERS = 3;

    private PeerOutlierScore() {
    }

    /** Robust z of {@code value} above the peers, 0 when not enough peers or not above them. */
    public static double z(double value, double[] peerValues, double minSigma) {
        if (Double.isNaN(value) || peerValues == null) {
            return 0;
        }
        RobustWindow w = new RobustWindow(Math.max(1, peerValues.length));
        for (double p : peerValues) {
            w.add(p);
        }
        if (w.size() < MIN_PEERS) {
            return 0;
        }
        double sigma = Math.max(w.robustSigma(), minSigma);
        if (!(sigma > 0)) {
            return 0;
        }
        return Math.max(0, (value - w.median()) / sigma);
    }

    /** The z mapped onto [0, 1]; 4.5 robust sigmas above the peers scores 0.9. */
    public static double score(double value, double[] peerValues, double minSigma) {
        return ScoreScale.PEER.score(z(value, peerValues, minSigma));
    }

    static double median(double[] values) {
        RobustWindow w = new RobustWindow(Math.max(1, values.length));
        for (double p : values) {
            w.add(p);
        }
        return w.median();
    }
}
