package io.sidecar.predictor.forecast;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A self-refitting additive Holt-Winters forecaster for one metric, fed one observation at a time (a 1-minute
 * roll-up live, a CSV row in replay).
 *
 * <p>Every {@code refitEvery} observations (and no more often than a quarter of the fit window) it re-detects
 * the season by autocorrelation ({@link SeasonDetector}), fits the parameters on the window minus a validation
 * tail ({@link HoltWintersFitter}), runs the candidate through the tail and promotes it only when its
 * out-of-sample MAE there is no worse than the MAE the model in use actually had on the same observations.
 * Every fit becomes a {@link ModelVersion}; {@link #rollback(int)} re-installs an older one.
 *
 * <p>Thread-safety: all public methods are synchronized; this is not on the request path (the proxy records
 * into {@code io.sidecar.predictor.signals}, a timer feeds roll-ups here once a minute).
 */
public final class OnlineForecaster {
    /** Used for the interval's sigma: the root mean square of the last this many one-step errors. */
    static final int ERROR_WINDOW = 500;

    private final ForecasterConfig config;
    private final Clock clock;
    private final double[] history;
    private int historyStart;
    private int historySize;
    private long observed;
    private long sinceFit;

    private HoltWintersState state;
    private ModelVersion current;
    private final List<ModelVersion> versions = new ArrayList<>();
    private int nextVersionId = 1;
    private boolean fitted;
    private double clipSigma = Double.NaN;
    private int detectedPeriod;
    /** Kept observations below zero; while there are none, forecasts are floored at zero. */
    private int negativesKept;

    private final double[] recentErrors = new double[ERROR_WINDOW];
    private final double[] recentNaive = new double[ERROR_WINDOW];
    private int recentCount;
    private int recentHead;
    private double squaredSum;
    private int squaredCount;
    private long accCount;
    private double accAbs;
    private double accNaiveAbs;

    public OnlineForecaster(ForecasterConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.history = new double[config.maxHistory()];
        this.state = null;
    }

    public OnlineForecaster() {
        this(ForecasterConfig.DEFAULTS, Clock.systemUTC());
    }

    /** What one observation did: the forecast it was compared to, the error and the seasonal index in use. */
    public record Step(double forecast, double error, double seasonal, boolean warm) {
    }

    /** Feeds one observation (NaN when missing) and refits when due. */
    public synchronized Step observe(double y) {
        boolean warm = fitted;
        double forecast = Double.NaN;
        double error = Double.NaN;
        double seasonal = 0;
        if (state == null && !Double.isNaN(y)) {
            state = HoltWintersState.initial(HoltWintersParams.bootstrap(), new double[] {y});
        }
        if (state != null) {
            forecast = state.forecastNext();
            seasonal = state.nextSeason();
            double clip = Double.isNaN(clipSigma) ? Double.POSITIVE_INFINITY
                    : HoltWintersFitter.CLIP_SIGMAS * clipSigma;
            error = state.update(y, clip);
            if (!Double.isNaN(error)) {
                double naive = naiveForecast();
                recordError(error, Double.isNaN(naive) ? Double.NaN : y - naive, warm);
            }
        }
        append(y);
        observed++;
        sinceFit++;
        if (historySize >= config.minFitPoints()
                && (!fitted || sinceFit >= Math.max(config.refitEvery(), Math.min(historySize,
                        config.maxFitWindow()) / 4))) {
            refit();
        }
        return new Step(forecast, error, seasonal, warm);
    }

    /** True once the first fit has run: before that forecasts are empty. */
    public synchronized boolean warm() {
        return fitted;
    }

    public synchronized long observed() {
        return observed;
    }

    /** The forecast h >= 1 observations ahead of the last one fed, or empty while warming up. */
    public synchronized Optional<Forecast> forecast(int h) {
        if (!fitted || state == null || h < 1) {
            return Optional.empty();
        }
        double point = state.forecast(h);
        double sd = Math.sqrt(state.variance(h, oneStepVariance()));
        double half = config.intervalZ() * sd;
        double lower = point - half;
        double upper = point + half;
        if (negativesKept == 0) {
            // a series never seen below zero (counts, rates, bytes, latencies) is not forecast below zero: the
            // additive season and a damped downward trend can extrapolate a steep evening drop past zero
            point = Math.max(0, point);
            lower = Math.max(0, lower);
            upper = Math.max(0, upper);
        }
        return Optional.of(new Forecast(h, point, lower, upper));
    }

    /** Forecasts for horizons 1..maxHorizon (empty list while warming up). */
    public synchronized List<Forecast> forecasts(int maxHorizon) {
        List<Forecast> out = new ArrayList<>(maxHorizon);
        for (int h = 1; h <= maxHorizon; h++) {
            forecast(h).ifPresent(out::add);
        }
        return out;
    }

    /** The one-step variance: mean square of the recent errors (kept as a running sum over the ring). */
    synchronized double oneStepVariance() {
        return squaredCount == 0 ? 0 : Math.max(0, squaredSum / squaredCount);
    }

    public synchronized Accuracy accuracy() {
        double mae = accCount == 0 ? Double.NaN : accAbs / accCount;
        double naive = accCount == 0 ? Double.NaN : accNaiveAbs / accCount;
        double rm = 0;
        double rn = 0;
        int n = 0;
        for (int i = 0; i < recentCount; i++) {
            if (!Double.isNaN(recentErrors[i]) && !Double.isNaN(recentNaive[i])) {
                rm += Math.abs(recentErrors[i]);
                rn += Math.abs(recentNaive[i]);
                n++;
            }
        }
        return new Accuracy(accCount, mae, naive, naive > 0 ? mae / naive : Double.NaN,
                n == 0 ? Double.NaN : rm / n, rn > 0 ? rm / rn : Double.NaN);
    }

    public synchronized List<ModelVersion> versions() {
        return List.copyOf(versions);
    }

    public synchronized Optional<ModelVersion> current() {
        return Optional.ofNullable(current);
    }

    /** The season length in use (0 = none). */
    public synchronized int period() {
        return state == null ? 0 : state.params().period();
    }

    /**
     * Re-installs the parameters of a listed version, re-running them over the kept history.
     *
     * @throws IllegalArgumentException when no such version is kept
     */
    public synchronized ModelVersion rollback(int versionId) {
        ModelVersion v = versions.stream().filter(x -> x.id() == versionId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model version " + versionId));
        double[] y = lastValues(Math.min(historySize, config.maxFitWindow()));
        HoltWintersParams p = v.params();
        if (p.seasonal() && y.length < 2 * p.period()) {
            throw new IllegalArgumentException("model version " + versionId + " needs " + 2 * p.period()
                    + " observations of history, have " + y.length);
        }
        HoltWintersState s = HoltWintersState.initial(p, y);
        for (double value : y) {
            s.update(value, clipFor());
        }
        state = s;
        current = v;
        fitted = true;
        return v;
    }

    private double clipFor() {
        return Double.isNaN(clipSigma) ? Double.POSITIVE_INFINITY : HoltWintersFitter.CLIP_SIGMAS * clipSigma;
    }

    private void refit() {
        sinceFit = 0;
        int window = Math.min(historySize, config.maxFitWindow());
        double[] y = lastValues(window);
        int validation = Math.max(5, Math.min(window / 5, 500));
        int trainLength = window - validation;
        double[] train = java.util.Arrays.copyOf(y, trainLength);
        int maxLag = Math.min(config.maxSeason(), trainLength / 2);
        int period = maxLag >= SeasonDetector.MIN_LAG + 2
                ? SeasonDetector.detect(train, maxLag, config.preferredPeriods()) : 0;
        detectedPeriod = period;
        // two fits, on the one-step loss and on the loss over horizons 1..evalHorizon; the validation tail
        // (MAE over those horizons, out of sample) picks the candidate
        HoltWintersFitter.Fit fit = HoltWintersFitter.fit(train, period);
        Evaluation candidate = evaluate(fit.params(), y, trainLength, fit.sigma());
        if (config.evalHorizon() > 1) {
            HoltWintersFitter.Fit multi = HoltWintersFitter.fit(train, period, config.evalHorizon());
            Evaluation other = evaluate(multi.params(), y, trainLength, multi.sigma());
            if (!Double.isNaN(other.mae) && (Double.isNaN(candidate.mae) || other.mae < candidate.mae)) {
                fit = multi;
                candidate = other;
            }
        }
        double incumbentMae = Double.NaN;
        if (fitted && current != null && (!current.params().seasonal() || 2 * current.params().period() <= window)) {
            incumbentMae = evaluate(current.params(), y, trainLength, fit.sigma()).mae;
        }
        boolean promote = !fitted || Double.isNaN(incumbentMae)
                || (!Double.isNaN(candidate.mae) && candidate.mae <= incumbentMae);
        ModelVersion version = new ModelVersion(nextVersionId++, clock.instant(), observed, fit.params(),
                candidate.mae, incumbentMae, promote);
        versions.add(version);
        if (versions.size() > config.keepVersions()) {
            // keep the version in use even when it is the oldest
            ModelVersion drop = versions.get(0).equals(current) && versions.size() > 1 ? versions.get(1)
                    : versions.get(0);
            versions.remove(drop);
        }
        if (promote) {
            state = candidate.state;
            current = version;
            clipSigma = fit.sigma();
            fitted = true;
        }
    }

    private record Evaluation(HoltWintersState state, double mae) {
    }

    /**
     * Runs {@code params} from the start of {@code y}; on the tail after {@code trainLength} scores the mean
     * absolute error over horizons 1..evalHorizon of forecasts made from each point (out of sample: the
     * parameters were fitted on the head only). Returns the state positioned after the last observation.
     */
    private Evaluation evaluate(HoltWintersParams params, double[] y, int trainLength, double sigma) {
        HoltWintersState s = HoltWintersState.initial(params, y);
        double clip = HoltWintersFitter.CLIP_SIGMAS * sigma;
        int horizon = config.evalHorizon();
        double sum = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            s.update(y[i], clip);
            if (i >= trainLength - 1) {
                for (int h = 1; h <= horizon && i + h < y.length; h++) {
                    if (!Double.isNaN(y[i + h])) {
                        sum += Math.abs(y[i + h] - s.forecast(h));
                        n++;
                    }
                }
            }
        }
        return new Evaluation(s, n == 0 ? Double.NaN : sum / n);
    }

    /** The MAE of the model in use over its last n one-step errors, NaN if it has fewer than n/2. */
    private double recentMae(int n) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < Math.min(n, recentCount); i++) {
            int idx = Math.floorMod(recentHead - 1 - i, ERROR_WINDOW);
            double e = recentErrors[idx];
            if (!Double.isNaN(e)) {
                sum += Math.abs(e);
                count++;
            }
        }
        return count < Math.max(1, n / 2) ? Double.NaN : sum / count;
    }

    private void recordError(double error, double naiveError, boolean warm) {
        if (!warm) {
            return;
        }
        if (recentCount == ERROR_WINDOW) {
            double old = recentErrors[recentHead];
            if (!Double.isNaN(old)) {
                squaredSum -= old * old;
                squaredCount--;
            }
        }
        if (!Double.isNaN(error)) {
            squaredSum += error * error;
            squaredCount++;
        }
        recentErrors[recentHead] = error;
        recentNaive[recentHead] = naiveError;
        recentHead = (recentHead + 1) % ERROR_WINDOW;
        recentCount = Math.min(ERROR_WINDOW, recentCount + 1);
        if (!Double.isNaN(naiveError)) {
            accCount++;
            accAbs += Math.abs(error);
            accNaiveAbs += Math.abs(naiveError);
        }
    }

    /** Seasonal-naive forecast of the observation about to be appended: y_{t-m}, or y_{t-1} without season. */
    private double naiveForecast() {
        int m = Math.max(1, detectedPeriod);
        if (historySize < m) {
            return Double.NaN;
        }
        return history[(historyStart + historySize - m) % history.length];
    }

    private void append(double y) {
        if (y < 0) {
            negativesKept++;
        }
        if (historySize == history.length) {
            if (history[historyStart] < 0) {
                negativesKept--;
            }
            history[historyStart] = y;
            historyStart = (historyStart + 1) % history.length;
        } else {
            history[(historyStart + historySize) % history.length] = y;
            historySize++;
        }
    }

    private double[] lastValues(int n) {
        double[] out = new double[n];
        int from = historySize - n;
        for (int i = 0; i < n; i++) {
            out[i] = history[(historyStart + from + i) % history.length];
        }
        return out;
    }
}
