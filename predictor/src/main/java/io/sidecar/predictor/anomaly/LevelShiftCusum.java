package io.sidecar.predictor.anomaly;

/**
 * Two-sided tabular CUSUM (Page 1954, "Continuous inspection schemes"; Montgomery, "Introduction to Statistical
 * Quality Control", section 9.1) on the standardised one-step forecast errors of the seasonal baseline, the
 * forecast-monitoring use of CUSUM of Harrison and Davies 1964 ("The use of cumulative sum (CUSUM) techniques
 * for the control of routine forecasts of product demand"). A level shift or a drift the baseline has not
 * absorbed yet shows as a run of same-sign errors.
 * <pre>
 *   x_t  = clamp(z_t, -4, 4)                  (clamping bounds the pull of a single spike)
 *   S+_t = max(0, S+_{t-1} + x_t - k)
 *   S-_t = max(0, S-_{t-1} - x_t - k)
 *   alarm when max(S+, S-) >= h, then both sums restart at 0
 * </pre>
 * With k = 0.5 and h = 10 the in-control average run length for Gaussian errors is about 7e4 points
 * (Siegmund's approximation). Score: 1 - 10^(-S/h), so the alarm point scores 0.9.
 */
final class LevelShiftCusum {
    private static final double CLAMP = 4;

    private final double k;
    private final double h;
    private double upper;
    private double lower;

    LevelShiftCusum(double k, double h) {
        this.k = k;
        this.h = h;
    }

    /** Result of one step: the score, the statistic and whether it alarmed. */
    record Step(double score, double statistic, boolean alarm) {
    }

    Step observe(double z) {
        if (Double.isNaN(z)) {
            return new Step(0, Math.max(upper, lower), false);
        }
        double x = Math.max(-CLAMP, Math.min(CLAMP, z));
        upper = Math.max(0, upper + x - k);
        lower = Math.max(0, lower - x - k);
        double s = Math.max(upper, lower);
        boolean alarm = s >= h;
        Step step = new Step(1 - Math.pow(10, -s / h), s, alarm);
        if (alarm) {
            upper = 0;
            lower = 0;
        }
        return step;
    }
}
