package io.sidecar.predictor.anomaly;

/**
 * Two-sided tabular CUSUM (Page 1954, "Continuous inspection schemes"; Montgomery, "Introduction to Statistical
 * Quality Control", section 9.1) on the standardised one-step forecast errors of the seasonal baseline, the
 * forecast-monitoring use of CUSUM of Harrison and Davies 1964 ("The use of cumulative sum (CUSUM) techniques
 * for the control of routine forecasts of product demand"). A level shift or a drift the baseline has not
 * absorbed yet shows as a run of same-sign errors.
 * <pre>
 *   c_t  = clamp(z_t, -4, 4)                  (clamping bounds the pull of a single spike)
 *   x_t  = c_t - mean(c over the last n points before t)   (the in-control mean, mu_0)
 *   S+_t = max(0, S+_{t-1} + x_t - k)
 *   S-_t = max(0, S-_{t-1} - x_t - k)
 *   alarm when max(S+, S-) >= h, then both sums restart at 0
 * </pre>
 * The z fed in is centred on the median of the residuals (robust for the spike score); for a skewed error
 * distribution (counts that are mostly 0, a CPU metric with routine dips, latency) the mean of z is not 0, and a
 * CUSUM aimed at 0 drifts towards an alarm on in-control data: the tabular CUSUM needs its target mu_0 to be
 * the in-control mean (Montgomery, 9.1.2), here estimated by the mean of the last n clamped inputs. With
 * k = 0.5 and h = 10 the in-control average run length for Gaussian errors is about 7e4 points (Siegmund's
 * approximation). Score: 1 - 10^(-S/h), so the alarm point scores 0.9.
 */
final class LevelShiftCusum {
    private static final double CLAMP = 4;

    private final double k;
    private final double h;
    /** The last n clamped inputs (a ring) and their sum, for the in-control mean. */
    private final double[] recent;
    private int size;
    private int head;
    private double sum;
    private double upper;
    private double lower;

    /**
     * @param meanWindow how many recent clamped inputs estimate the in-control mean that is subtracted before
     *                   the sums (at least 1; the detector passes its residual window, at least 10)
     */
    LevelShiftCusum(double k, double h, int meanWindow) {
        if (meanWindow < 1) {
            throw new IllegalArgumentException("meanWindow must be at least 1, was " + meanWindow);
        }
        this.k = k;
        this.h = h;
        this.recent = new double[meanWindow];
    }

    /** Result of one step: the score, the statistic and whether it alarmed. */
    record Step(double score, double statistic, boolean alarm) {
    }

    Step observe(double z) {
        if (Double.isNaN(z)) {
            return new Step(0, Math.max(upper, lower), false);
        }
        double c = Math.max(-CLAMP, Math.min(CLAMP, z));
        double x = size > 0 ? c - sum / size : c;
        remember(c);
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

    private void remember(double c) {
        if (size == recent.length) {
            sum -= recent[head];
        } else {
            size++;
        }
        recent[head] = c;
        sum += c;
        head = (head + 1) % recent.length;
        if (head == 0) {
            // re-add once per lap so rounding in the running sum cannot accumulate over a long-lived detector
            sum = 0;
            for (double v : recent) {
                sum += v;
            }
        }
    }
}
