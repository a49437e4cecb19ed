package io.sidecar.predictor.anomaly;

/**
 * Maps a robust z statistic onto [0, 1]: 0 up to {@code floor} sigmas, then 1 - exp(-(z - floor) / tau), with tau
 * chosen so that {@code z90} sigmas scores exactly 0.9 (the default alert threshold). With floor 3 and z90 7 a
 * Gaussian point scores above 0.5 with probability ~1e-5: alerts come from the tails only.
 */
final class ScoreScale {
    static final ScoreScale SPIKE = new ScoreScale(3.0, 7.0);
    static final ScoreScale PEER = new ScoreScale(2.0, 4.5);

    private final double floor;
    private final double tau;

    ScoreScale(double floor, double z90) {
        this.floor = floor;
        this.tau = (z90 - floor) / Math.log(10);
    }

    /** Sigmas up to which the score is 0. */
    double floor() {
        return floor;
    }

    double score(double z) {
        if (!(z > floor)) {
            return 0;
        }
        return 1 - Math.exp(-(z - floor) / tau);
    }
}
