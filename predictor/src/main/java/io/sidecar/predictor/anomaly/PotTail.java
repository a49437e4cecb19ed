package io.sidecar.predictor.anomaly;

import io.sidecar.predictor.stats.RobustWindow;
import org.apache.commons.math3.special.Erf;

/**
 * Peaks-over-threshold (POT) model of the tail of the standardised residuals |z|, and the tail factor it gives.
 *
 * <p>Above a high threshold u the excesses |z| - u of almost any distribution are approximately generalised
 * Pareto, GPD(sigma, xi) (Pickands 1975; Balkema and de Haan 1974), so the tail probability of a value x > u is
 * extrapolated as P(|Z| > x) = (k / n) (1 + xi (x - u) / sigma)^(-1 / xi), k of the n window values being above u
 * (exp(-(x - u) / sigma) at xi = 0; 0 beyond the end point u + sigma / |xi| of a bounded tail, xi < 0). This is
 * the model SPOT / DSPOT score streams with (Siffer, Fouque, Termier and Largouet 2017, "Anomaly detection in
 * streams with extreme value theory", KDD). u is the window's 90th percentile of |z|.
 *
 * <p>sigma and xi are fitted in closed form by probability-weighted moments (Hosking and Wallis 1987, "Parameter
 * and quantile estimation for the generalized Pareto distribution", Technometrics 29): with the excesses sorted
 * ascending, y(1) ≤ ... ≤ y(k), a0 = mean(y), a1 = mean((1 - p_i) y(i)), p_i = (i - 0.35) / k, then
 * xi = 2 - a0 / (a0 - 2 a1) and sigma = 2 a0 a1 / (a0 - 2 a1). PWM needs only the mean of the excesses (xi < 1),
 * where the method of moments needs their variance (xi < 1/2), and has low variance at small k. xi above 0.5 is
 * clipped to 0.5; sigma is then re-derived from the mean excess, sigma = a0 (1 - xi) (the GPD's mean excess is
 * sigma / (1 - xi)). xi below -0.5 is no tail model at all: such short bounded excesses are rarely a real tail
 * (Coles 2001, "An introduction to statistical modeling of extreme values", 4.3.1, also where maximum likelihood
 * stops being regular, Smith 1985) and here they are a mode cut by the threshold (the second level of a quantised
 * metric, |z| 13-16 in a fifth of the points), whose fitted end point would make the next 0.5 sigma beyond it
 * "impossible". For the same reason u must lie below the spike score's 3-sigma floor: when a tenth of the points
 * are beyond it, the values above u are a second population, not the tail of the body the robust scale was taken
 * from (and every |z| that can score is then in the q99 factor's hands as before). Fewer than
 * {@link #MIN_EXCEEDANCES} excesses, u at or above 3, xi below -0.5 or a degenerate fit: no model.
 *
 * <p><b>Tail factor.</b> The detector's single-quantile factor, q99(|z|) / 2.576, is the ratio of the series'
 * 99th-percentile |z| to the Gaussian one: it assumes the tail beyond q99 is a scaled Gaussian. The POT factor is
 * the same ratio at the point's own level, |z| / z_g, where z_g is the Gaussian |z| with the same two-sided tail
 * probability as |z| under the fitted GPD. It is used only to lower the q99 factor (never below 1): where the
 * fitted tail thins out beyond q99 faster than a scaled Gaussian (a bounded tail, xi < 0, or a short exponential
 * one), a value far beyond it is scored as far as it is. It never raises the factor above the q99 one: a power-law
 * tail's extrapolation to the Gaussian probability of the 7-sigma alert point (~1e-12), nine orders beyond a
 * window of 2 000 residuals, rests on the exponent xi and would silence every spike of a heavy-tailed series.
 * It is applied beyond the window's q99 only: between q90 and q99 the data are there, the q99 factor measures
 * the tail at q99, and a factor changing at q90 would make |z| / factor jump there (a heavy-tailed series' ratio
 * grows with the level). The level-shift CUSUM keeps the q99 factor: it sums standardised errors with a
 * calibrated allowance and decision interval, a linear scale, and on NAB Twitter_volume_GOOG the per-point
 * factor lowered between q90 and q99 doubled its alarms at thresholds 0.7-0.8 (README, fifth round).
 *
 * <p>Pure functions of the window: no clock, no state.
 */
final class PotTail {
    /** Quantile of the |z| window used as the POT threshold u. */
    static final double THRESHOLD_QUANTILE = 0.90;
    /**
     * The POT factor is used beyond this quantile of the window only: below it the q99 factor is a measurement,
     * beyond it an assumption (a scaled Gaussian) that the fitted tail replaces.
     */
    static final double APPLY_QUANTILE = 0.99;
    /** Fewest excesses over u for a fit; below it the q99 factor is kept. */
    static final int MIN_EXCEEDANCES = 30;
    /** Shortest tail modelled: a fit below it is no model. */
    static final double MIN_SHAPE = -0.5;
    /** Heaviest tail modelled: a fit above it is clipped to it. */
    static final double MAX_SHAPE = 0.5;
    /** Plotting-position offset of the PWM estimator (Hosking and Wallis 1987; Landwehr et al. 1979). */
    private static final double PLOTTING_OFFSET = 0.35;
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    /** Below this |xi| the exponential limit of the GPD is used. */
    private static final double EXPONENTIAL_SHAPE = 1e-9;

    private PotTail() {
    }

    /**
     * A fitted tail.
     *
     * @param threshold u
     * @param scale sigma &gt; 0
     * @param shape xi in [{@link #MIN_SHAPE}, {@link #MAX_SHAPE}]
     * @param exceedanceRate k / n, the fraction of the window above u
     */
    record Fit(double threshold, double scale, double shape, double exceedanceRate) {
        /**
         * ln P(|Z| &gt; x) for x &gt; u by the GPD, computed in logs so a far value keeps its probability; -Infinity
         * beyond a bounded tail's end point; NaN for x ≤ u.
         */
        double logTailProbability(double x) {
            if (!(x > threshold)) {
                return Double.NaN;
            }
            double excess = (x - threshold) / scale;
            if (Math.abs(shape) < EXPONENTIAL_SHAPE) {
                return Math.log(exceedanceRate) - excess;
            }
            double base = shape * excess;
            if (base <= -1) {
                return Double.NEGATIVE_INFINITY;
            }
            return Math.log(exceedanceRate) - Math.log1p(base) / shape;
        }

        /**
         * The POT tail factor of a value: |z| / z_g, z_g the Gaussian |z| with the same two-sided tail probability;
         * 1 beyond a bounded tail's end point (probability 0); NaN at or below u.
         */
        double factor(double absZ) {
            double logP = logTailProbability(absZ);
            if (Double.isNaN(logP)) {
                return Double.NaN;
            }
            double zg = gaussianEquivalent(logP);
            return Double.isInfinite(zg) || !(zg > 0) ? 1 : absZ / zg;
        }
    }

    /**
     * The Gaussian |z| exceeded with probability p = exp(logP): P(|Z| &gt; z) = erfc(z / sqrt 2), so z = sqrt(2) t
     * with ln erfc(t) = logP. Newton's method from t0 = sqrt(-logP), which is above the root (erfc(t) &lt; e^-t^2
     * for t &gt; 0.6) and, ln erfc being concave and decreasing, converges from above; in logs, so probabilities far
     * below double precision (a heavy tail's 1e-40) still give their z. +Infinity for p = 0.
     */
    static double gaussianEquivalent(double logP) {
        if (logP == Double.NEGATIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        if (!(logP < 0)) {
            return 0;
        }
        double t = Math.sqrt(-logP);
        for (int i = 0; i < 100; i++) {
            double lnErfc = logErfc(t);
            // d/dt ln erfc(t) = -(2 / sqrt(pi)) e^(-t^2) / erfc(t)
            double slope = -TWO_OVER_SQRT_PI * Math.exp(-t * t - lnErfc);
            double next = t - (lnErfc - logP) / slope;
            if (!(next >= 0) || !Double.isFinite(next)) {
                break;
            }
            boolean done = Math.abs(next - t) <= 1e-12 * Math.max(1, t);
            t = next;
            if (done) {
                break;
            }
        }
        return Math.sqrt(2) * t;
    }

    /**
     * ln erfc(t), t ≥ 0: from commons-math's erfc while it is a normal double, else its asymptotic expansion
     * erfc(t) = e^-t^2 / (t sqrt(pi)) (1 - 1/(2t^2) + 3/(4t^4) - ...) (Abramowitz and Stegun 7.1.23).
     */
    static double logErfc(double t) {
        if (t < 26) {
            return Math.log(Erf.erfc(t));
        }
        double t2 = t * t;
        return -t2 - Math.log(t * Math.sqrt(Math.PI)) + Math.log1p(-1 / (2 * t2) + 3 / (4 * t2 * t2));
    }

    /** Fits the tail of the values in {@code absZ}; null when there are too few excesses or the fit degenerates. */
    static Fit fit(RobustWindow absZ) {
        int n = absZ.size();
        if (n == 0) {
            return null;
        }
        double u = absZ.quantile(THRESHOLD_QUANTILE);
        if (!(u < ScoreScale.SPIKE.floor())) {
            // a tenth of the points already beyond the spike score's floor: the values above u are a second
            // population (a quantised metric's other level), not the tail of the body the robust scale describes
            return null;
        }
        int k = absZ.countAbove(u);
        if (k < MIN_EXCEEDANCES) {
            return null;
        }
        // a0 = mean excess, a1 = mean of (1 - p_i) y(i), excesses ascending (the window is kept sorted)
        double a0 = 0;
        double a1 = 0;
        for (int i = 0; i < k; i++) {
            double y = absZ.ordered(n - k + i) - u;
            double p = (i + 1 - PLOTTING_OFFSET) / k;
            a0 += y;
            a1 += (1 - p) * y;
        }
        a0 /= k;
        a1 /= k;
        double d = a0 - 2 * a1;
        if (!(a0 > 0) || !(d > 0)) {
            return null;
        }
        double shape = 2 - a0 / d;
        if (!(shape >= MIN_SHAPE)) {
            // not a tail: excesses this short (a uniform-like or rising density up to an end point) are a mode of
            // the distribution cut by the threshold (a quantised metric's second level), not its tail
            return null;
        }
        shape = Math.min(MAX_SHAPE, shape);
        double scale = a0 * (1 - shape);
        if (!(scale > 0) || !Double.isFinite(scale)) {
            return null;
        }
        return new Fit(u, scale, shape, (double) k / n);
    }

    /**
     * The spike's tail factor of one |z|: {@link #factor(double, double, Fit)} with the tail fitted on
     * {@code window}, for a |z| beyond the window's 99th percentile; at or below it the q99 factor, which is
     * measured there, not extrapolated (and 99 points in 100 need no fit).
     */
    static double factor(double absZ, double q99Factor, RobustWindow window) {
        if (window.size() == 0 || !(absZ > window.quantile(APPLY_QUANTILE))) {
            return q99Factor;
        }
        return factor(absZ, q99Factor, fit(window));
    }

    /**
     * The tail factor of one |z|: the q99 factor, lowered (never below 1) to the POT factor when |z| is above the
     * threshold of a fitted tail and the fitted tail puts it farther out than a scaled Gaussian would.
     *
     * @param q99Factor max(1, q99(|z|) / 2.576)
     * @param fit the fitted tail, or null (too few excesses): the q99 factor is returned
     */
    static double factor(double absZ, double q99Factor, Fit fit) {
        if (fit == null || !(absZ > fit.threshold())) {
            return q99Factor;
        }
        double pot = fit.factor(absZ);
        if (Double.isNaN(pot)) {
            return q99Factor;
        }
        return Math.max(1, Math.min(q99Factor, pot));
    }
}
