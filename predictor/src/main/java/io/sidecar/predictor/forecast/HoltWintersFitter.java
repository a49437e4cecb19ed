package io.sidecar.predictor.forecast;

import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Fits Holt-Winters smoothing parameters by minimising the one-step-ahead Huber loss over a training series
 * with Powell's BOBYQA bound-constrained derivative-free optimiser (commons-math3; Powell 2009, "The BOBYQA
 * algorithm for bound constrained optimization without derivatives"). The Huber loss (Huber 1964) with
 * delta = 3 robust sigmas keeps a few spikes from dictating the parameters; the state is updated with the same
 * clipped errors the live path uses ({@link HoltWintersState#update(double, double)}).
 */
public final class HoltWintersFitter {
    /** Errors beyond this many robust sigmas are clipped in the state update (Gelper et al. 2010 use 2 to 3). */
    public static final double CLIP_SIGMAS = 4.0;
    public static final int DEFAULT_MAX_EVALUATIONS = 400;

    private HoltWintersFitter() {
    }

    /** A fitted parameter set, with its training loss and the robust scale of the training errors. */
    public record Fit(HoltWintersParams params, double loss, double sigma) {
    }

    /**
     * @param y training series (NaN = missing), oldest first
     * @param period season length, or 0 to fit a damped-trend model without season
     */
    public static Fit fit(double[] y, int period) {
        return fit(y, period, 1);
    }

    /**
     * Fits on the mean Huber loss of the forecasts 1..{@code horizon} steps ahead made from every point of
     * {@code y} (the "average multi-step MSE" criterion of Hyndman, Koehler, Ord and Snyder 2008, section 5.2,
     * {@code opt.crit = "amse"} in R's forecast::ets, here with Huber's loss). With {@code horizon == 1} this is
     * the one-step loss. A one-step fit on a noisy series drives alpha to 1 (the level chases every value) and,
     * without season, the trend towards the last slope, which is right one step ahead and wrong beyond it:
     * on NAB's nyc_taxi (30-minute steps, weekly season) the one-step fit lost to the seasonal-naive forecast
     * over horizons 1..12.
     *
     * @param horizon the horizons the forecasts are used for (>= 1)
     */
    public static Fit fit(double[] y, int period, int horizon) {
        int h = Math.max(1, Math.min(horizon, Math.max(1, y.length / 4)));
        double scale = roughScale(y);
        double clip = CLIP_SIGMAS * scale;
        boolean seasonal = period >= 2 && y.length >= 2 * period;
        int m = seasonal ? period : 0;
        MultivariateFunction loss = point -> {
            HoltWintersParams p = params(point, m);
            return huberLoss(p, y, clip, 3 * scale, h);
        };
        double[] start = seasonal ? new double[] {0.3, 0.05, 0.1, 0.95} : new double[] {0.5, 0.05, 0.9};
        double[] lower = seasonal ? new double[] {0.01, 0.0, 0.0, 0.8} : new double[] {0.01, 0.0, 0.8};
        double[] upper = seasonal ? new double[] {1.0, 0.5, 0.9, 1.0} : new double[] {1.0, 0.5, 1.0};
        BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * start.length + 1, 0.05, 1e-4);
        double[] best = start;
        try {
            PointValuePair result = optimizer.optimize(new MaxEval(DEFAULT_MAX_EVALUATIONS),
                    new ObjectiveFunction(loss), GoalType.MINIMIZE, new InitialGuess(start),
                    new SimpleBounds(lower, upper));
            best = result.getPoint();
        } catch (TooManyEvaluationsException e) {
            // keep the starting point; the promotion check decides whether this fit is used at all
        } catch (RuntimeException e) {
            // BOBYQA can fail on flat or discontinuous losses ("trust region step has failed to reduce Q"):
            // fall back to Nelder-Mead on the same bounded loss
            best = nelderMead(loss, start, lower, upper);
        }
        HoltWintersParams params = params(best, m);
        double finalLoss = huberLoss(params, y, clip, 3 * scale, h);
        return new Fit(params, finalLoss, scale);
    }

    private static double[] nelderMead(MultivariateFunction loss, double[] start, double[] lower, double[] upper) {
        MultivariateFunction bounded = p -> {
            double[] q = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                q[i] = clamp(p[i], lower[i], upper[i]);
            }
            return loss.value(q);
        };
        try {
            PointValuePair r = new org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer(1e-6,
                    1e-9).optimize(new MaxEval(DEFAULT_MAX_EVALUATIONS), new ObjectiveFunction(bounded),
                    GoalType.MINIMIZE, new InitialGuess(start),
                    new org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex(start.length, 0.1));
            double[] p = r.getPoint();
            for (int i = 0; i < p.length; i++) {
                p[i] = clamp(p[i], lower[i], upper[i]);
            }
            return p;
        } catch (RuntimeException e) {
            return start;
        }
    }

    static HoltWintersParams params(double[] p, int period) {
        double alpha = clamp(p[0], 0.01, 1.0);
        double beta = clamp(p[1], 0.0, 1.0);
        if (period >= 2) {
            return new HoltWintersParams(alpha, beta, clamp(p[2], 0, 1), clamp(p[3], 0.01, 1), period);
        }
        return new HoltWintersParams(alpha, beta, 0, clamp(p[2], 0.01, 1), 0);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static double huberLoss(HoltWintersParams p, double[] y, double clip, double delta) {
        return huberLoss(p, y, clip, delta, 1);
    }

    /** Sum of the Huber losses of the forecasts 1..horizon steps ahead from every point of y. */
    static double huberLoss(HoltWintersParams p, double[] y, double clip, double delta, int horizon) {
        if (horizon > 1) {
            return multiStepHuberLoss(p, y, clip, delta, horizon);
        }
        HoltWintersState s = HoltWintersState.initial(p, y);
        double sum = 0;
        for (double v : y) {
            double e = s.update(v, clip);
            if (Double.isNaN(e)) {
                continue;
            }
            double a = Math.abs(e);
            sum += a <= delta ? e * e : 2 * delta * a - delta * delta;
            if (!Double.isFinite(sum)) {
                return Double.MAX_VALUE;
            }
        }
        return sum;
    }

    private static double multiStepHuberLoss(HoltWintersParams p, double[] y, double clip, double delta,
                                             int horizon) {
        HoltWintersState s = HoltWintersState.initial(p, y);
        double[] f = new double[horizon];
        double sum = 0;
        int n = y.length;
        for (int i = 0; i < n; i++) {
            s.update(y[i], clip);
            int hs = Math.min(horizon, n - 1 - i);
            if (hs <= 0) {
                break;
            }
            s.forecasts(f);
            for (int h = 1; h <= hs; h++) {
                double actual = y[i + h];
                if (Double.isNaN(actual)) {
                    continue;
                }
                double a = Math.abs(actual - f[h - 1]);
                sum += a <= delta ? a * a : 2 * delta * a - delta * delta;
            }
            if (!Double.isFinite(sum)) {
                return Double.MAX_VALUE;
            }
        }
        return sum;
    }

    /** A robust noise scale of the series: 1.4826 * MAD of first differences / sqrt(2); never zero. */
    static double roughScale(double[] y) {
        int n = 0;
        double[] d = new double[Math.max(0, y.length - 1)];
        double prev = Double.NaN;
        double maxAbs = 0;
        for (double v : y) {
            if (Double.isNaN(v)) {
                continue;
            }
            maxAbs = Math.max(maxAbs, Math.abs(v));
            if (!Double.isNaN(prev)) {
                d[n++] = v - prev;
            }
            prev = v;
        }
        double floor = Math.max(1e-9, 1e-6 * maxAbs);
        if (n == 0) {
            return floor;
        }
        double[] abs = new double[n];
        double[] sorted = java.util.Arrays.copyOf(d, n);
        java.util.Arrays.sort(sorted);
        double med = sorted[n / 2];
        for (int i = 0; i < n; i++) {
            abs[i] = Math.abs(d[i] - med);
        }
        java.util.Arrays.sort(abs);
        double sigma = 1.4826 * abs[n / 2] / Math.sqrt(2);
        if (sigma <= floor) {
            double mean = 0;
            for (double a : abs) {
                mean += a;
            }
            sigma = 1.2533 * mean / n / Math.sqrt(2);
        }
        return Math.max(sigma, floor);
    }
}
