package io.sidecar.predictor.forecast;

/**
 * Smoothing parameters of additive Holt-Winters with a damped trend (component form, Hyndman and Athanasopoulos,
 * "Forecasting: Principles and Practice" 3rd ed., section 8.3, and Gardner and McKenzie 1985 for the damping).
 *
 * @param alpha level smoothing, (0, 1)
 * @param beta trend smoothing, [0, 1)
 * @param gamma seasonal smoothing, [0, 1); ignored when {@code period == 0}
 * @param phi trend damping, (0, 1]; 1 is the undamped Holt trend
 * @param period season length in observations, 0 for none
 */
public record HoltWintersParams(double alpha, double beta, double gamma, double phi, int period) {
    /** Used before the first fit. */
    public static HoltWintersParams bootstrap() {
        return new HoltWintersParams(0.5, 0.05, 0.0, 0.9, 0);
    }

    public HoltWintersParams {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
        }
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1], was " + beta);
        }
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("gamma must be in [0, 1], was " + gamma);
        }
        if (!(phi > 0 && phi <= 1)) {
            throw new IllegalArgumentException("phi must be in (0, 1], was " + phi);
        }
        if (period < 0 || period == 1) {
            throw new IllegalArgumentException("period must be 0 or >= 2, was " + period);
        }
    }

    public boolean seasonal() {
        return period >= 2;
    }
}
