package io.sidecar.predictor.forecast;

/**
 * The running state (level, trend, seasonal indices) of additive damped Holt-Winters.
 *
 * <p>Update equations, component form (Hyndman and Athanasopoulos, FPP3 section 8.3, damped additive trend
 * with additive season), with e = y - (l + phi*b + s[t-m]):
 * <pre>
 *   l_t = l_{t-1} + phi*b_{t-1} + alpha*e
 *   b_t = beta*(l_t - l_{t-1}) + (1 - beta)*phi*b_{t-1}
 *   s_t = s_{t-m} + gamma*e
 *   yhat_{t+h|t} = l_t + (phi + phi^2 + ... + phi^h)*b_t + s_{t+h-m(k+1)}
 * </pre>
 * Outlier robustness follows Gelper, Fried and Croux 2010 ("Robust forecasting with exponential and
 * Holt-Winters smoothing", J. Forecasting 29): the error fed into the update is clipped to +-{@code clip}
 * so a spike does not drag the level. A real level shift shows as {@link #SHIFT_RUN} consecutive clipped errors
 * of the same sign; it is then taken as an intervention (Box and Tiao 1975): the level jumps to the new value
 * while trend and seasonal indices are left alone, so a shift (or a short incident that reverts) does not
 * leave a spurious slope or a scar in the season. The new level is the run's last (deseasonalised) value, unless
 * that value is an outlier within the run: farther from the run's median than the median is from the old level.
 * Then the median is taken: two slightly high values and a spike are not a shift to the spike's height (the
 * last value would put the forecast on the spike, and the ordinary values after it would read as anomalies). For
 * a step or a ramp the last value is not such an outlier and is taken, as before.
 * A missing observation (NaN) advances the state along its own forecast.
 */
public final class HoltWintersState {
    /** Consecutive same-sign clipped errors taken as a level shift rather than outliers. */
    public static final int SHIFT_RUN = 3;

    private final HoltWintersParams params;
    private double level;
    private double trend;
    private final double[] season;
    private int phase;
    private int clippedRun;
    /** Deseasonalised values of the current run of same-sign clipped errors, oldest first. */
    private final double[] runValues = new double[SHIFT_RUN];

    private HoltWintersState(HoltWintersParams params, double level, double trend, double[] season) {
        this.params = params;
        this.level = level;
        this.trend = trend;
        this.season = season;
    }

    public HoltWintersState copy() {
        HoltWintersState c = new HoltWintersState(params, level, trend, season.clone());
        c.phase = phase;
        c.clippedRun = clippedRun;
        System.arraycopy(runValues, 0, c.runValues, 0, SHIFT_RUN);
        return c;
    }

    public HoltWintersParams params() {
        return params;
    }

    public double level() {
        return level;
    }

    public double trend() {
        return trend;
    }

    /** The seasonal index that applies to the next observation (0 without season). */
    public double nextSeason() {
        return season.length == 0 ? 0 : season[phase];
    }

    /**
     * Initial state from the start of {@code y} (Hyndman and Athanasopoulos, FPP2 section 7.3 heuristic): level =
     * mean of the first season, trend = difference of the first two seasons' means / m, seasonal indices = first
     * season minus its mean. Without season: level = first value, trend = 0. Needs 2m values when seasonal.
     * The returned state is positioned at the start of {@code y}: feed it y[0], y[1], ...
     */
    public static HoltWintersState initial(HoltWintersParams params, double[] y) {
        int m = params.period();
        if (!params.seasonal()) {
            double first = firstFinite(y);
            return new HoltWintersState(params, Double.isNaN(first) ? 0 : first, 0, new double[0]);
        }
        if (y.length < 2 * m) {
            throw new IllegalArgumentException("need " + 2 * m + " values to initialise a season of " + m);
        }
        double mean1 = nanMean(y, 0, m);
        double mean2 = nanMean(y, m, 2 * m);
        if (Double.isNaN(mean1)) {
            mean1 = Double.isNaN(mean2) ? 0 : mean2;
        }
        if (Double.isNaN(mean2)) {
            mean2 = mean1;
        }
        double[] s = new double[m];
        for (int i = 0; i < m; i++) {
            double a = y[i];
            double b = y[i + m];
            double dev;
            if (!Double.isNaN(a) && !Double.isNaN(b)) {
                dev = ((a - mean1) + (b - mean2)) / 2;
            } else if (!Double.isNaN(a)) {
                dev = a - mean1;
            } else if (!Double.isNaN(b)) {
                dev = b - mean2;
            } else {
                dev = 0;
            }
            s[i] = dev;
        }
        // the level starts one step before y[0]: the mean of the first season, centred at (m-1)/2, minus the trend
        double trend = (mean2 - mean1) / m;
        double level = mean1 - trend * (m + 1) / 2.0;
        return new HoltWintersState(params, level, trend, s);
    }

    private static double firstFinite(double[] y) {
        for (double v : y) {
            if (!Double.isNaN(v)) {
                return v;
            }
        }
        return Double.NaN;
    }

    static double nanMean(double[] y, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(y[i])) {
                sum += y[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** One-step-ahead forecast of the next observation. */
    public double forecastNext() {
        return level + params.phi() * trend + nextSeason();
    }

    /** Point forecast h >= 1 steps ahead. */
    public double forecast(int h) {
        double phi = params.phi();
        double damp = phi == 1 ? h : phi * (1 - Math.pow(phi, h)) / (1 - phi);
        double s = season.length == 0 ? 0 : season[(int) ((phase + (long) h - 1) % season.length)];
        return level + damp * trend + s;
    }

    /**
     * Point forecasts 1..{@code out.length} steps ahead into {@code out}, the same values as
     * {@link #forecast(int)} but computed incrementally (no {@code Math.pow}), for the multi-step fit loss.
     */
    public void forecasts(double[] out) {
        double phi = params.phi();
        double pow = 1;
        double damp = 0;
        int m = season.length;
        for (int h = 1; h <= out.length; h++) {
            pow *= phi;
            damp += pow;
            double s = m == 0 ? 0 : season[(int) ((phase + (long) h - 1) % m)];
            out[h - 1] = level + damp * trend + s;
        }
    }

    /**
     * Forecast variance h steps ahead for one-step error variance sigma2, from Hyndman, Koehler, Ord and Snyder
     * 2008 ("Forecasting with Exponential Smoothing", Table 6.1, class 1, ETS(A,Ad,A)):
     * v_h = sigma2 * (1 + sum_{j=1}^{h-1} c_j^2), c_j = alpha + alpha*beta*phi_j + gamma*[j mod m == 0],
     * phi_j = phi + ... + phi^j (alpha*beta is the error-correction form's beta).
     */
    public double variance(int h, double sigma2) {
        double a = params.alpha();
        double ab = params.alpha() * params.beta();
        double phi = params.phi();
        int m = params.period();
        double sum = 1;
        double phiJ = 0;
        double pow = 1;
        for (int j = 1; j < h; j++) {
            pow *= phi;
            phiJ += pow;
            double c = a + ab * phiJ + (m > 0 && j % m == 0 ? params.gamma() : 0);
            sum += c * c;
        }
        return sigma2 * sum;
    }

    /**
     * Feeds one observation.
     *
     * @param y the observation, NaN when missing
     * @param clip the largest |error| fed into the update (Gelper et al. 2010); infinity for none
     * @return the one-step error y - forecast (unclipped), NaN when y is missing
     */
    public double update(double y, double clip) {
        double phi = params.phi();
        double f = forecastNext();
        if (Double.isNaN(y)) {
            level = level + phi * trend;
            trend = phi * trend;
            advance();
            return Double.NaN;
        }
        double e = y - f;
        double used = e;
        if (Math.abs(e) > clip) {
            clippedRun = (clippedRun == 0 || Math.signum(clippedRun) == Math.signum(e))
                    ? clippedRun + (int) Math.signum(e) : (int) Math.signum(e);
            int run = Math.abs(clippedRun);
            runValues[run - 1] = y - nextSeason();
            if (run >= SHIFT_RUN) {
                // level-shift intervention: move the level onto the new value (the run's median if the last
                // value is an outlier within the run), keep trend and season
                double last = runValues[run - 1];
                double med = median(runValues, run);
                double before = level + phi * trend;
                level = Math.abs(last - med) > Math.abs(med - before) ? med : last;
                trend = phi * trend;
                clippedRun = 0;
                advance();
                return e;
            }
            used = Math.copySign(clip, e);
        } else {
            clippedRun = 0;
        }
        double prevLevel = level;
        level = prevLevel + phi * trend + params.alpha() * used;
        trend = params.beta() * (level - prevLevel) + (1 - params.beta()) * phi * trend;
        if (season.length > 0) {
            season[phase] += params.gamma() * used;
        }
        advance();
        return e;
    }

    private static double median(double[] v, int n) {
        double[] c = java.util.Arrays.copyOf(v, n);
        java.util.Arrays.sort(c);
        return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    private void advance() {
        if (season.length > 0) {
            phase = (phase + 1) % season.length;
        }
    }
}
