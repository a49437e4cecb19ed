package io.sidecar.predictor.anomaly;

import io.sidecar.predictor.forecast.ForecasterConfig;
import io.sidecar.predictor.forecast.OnlineForecaster;
import io.sidecar.predictor.stats.RobustWindow;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Streaming anomaly detector for one metric. Three scores, the point's score is the largest:
 * <ol>
 *   <li><b>spike</b>: the one-step residual from the seasonal baseline (the same self-refitting Holt-Winters
 *       {@link OnlineForecaster} the forecasts come from, with outlier-clipped updates), standardised robustly
 *       with the median and MAD of recent residuals (Hampel filter idea; Rousseeuw and Croux 1993). Heavy-tailed
 *       series are normalised by their own tail: z is divided by max(1, q99(|z|) / 2.576), the ratio of the
 *       series' 99th percentile |z| to the Gaussian one, so routinely spiky metrics are not always alerting; for
 *       a |z| beyond the window's q99 the factor is lowered (not below 1) to the same ratio at |z|'s own level
 *       when a generalised Pareto fit of the excesses over q90 puts |z| farther out than a scaled Gaussian would
 *       ({@link PotTail}, peaks over threshold). A spike like one seen at about the same time of day on several of
 *       the last days (a nightly job; by default 3 of the last 7) is discounted to 0 ({@link RecurringSpikes}).</li>
 *   <li><b>level shift</b>: a two-sided CUSUM on the standardised one-step errors ({@link LevelShiftCusum}).</li>
 *   <li><b>drift</b>: a slow move of the de-seasonalised level (observation minus the baseline's seasonal index)
 *       out of the range of a reference that does not adapt while the drift is suspected, gated by a
 *       Mann-Kendall trend test ({@link DriftDetector}); the baseline itself follows such drifts.</li>
 *   <li><b>peer outlier</b>: when peer values are given, the robust distance above the peers
 *       ({@link PeerOutlierScore}).</li>
 * </ol>
 * An alert is raised when the score reaches the threshold and no episode is open; the episode closes after
 * {@code quietPoints} consecutive points below the threshold (one alert per episode).
 *
 * <p>Not thread-safe; one instance per metric, fed from one timer (live) or one loop (replay).
 */
public final class AnomalyDetector {
    /** Gaussian 99th percentile of |z|. */
    private static final double GAUSS_Q99 = 2.576;
    /**
     * Standardised residuals needed before the spike and level-shift scores count: the tail factor (q99 of |z|)
     * is estimated from them. With fewer than 100 the 0.99 quantile interpolates between the largest values,
     * which errs towards a larger tail factor (fewer alerts) while little is known.
     */
    static final int MIN_TAIL_SAMPLES = 30;
    /** Floor on the residual scale relative to |value| and |forecast| (as for the drift reference). */
    static final double RELATIVE_RESOLUTION = 1e-9;
    /**
     * A fall of the residual scale by this factor from one point to the next is a collapse (the MAD's implosion),
     * after which the stored |z| are re-scored: an order of magnitude, which one residual entering and one leaving
     * a window of hundreds cannot produce otherwise.
     */
    static final double SCALE_COLLAPSE_RATIO = 10;
    /** Longest drift reference (two days of 1-minute points). */
    static final int MAX_DRIFT_REFERENCE = 2_880;

    private final String metric;
    private final AnomalyConfig config;
    private final OnlineForecaster baseline;
    private final RobustWindow residuals;
    private final RobustWindow absZ;
    private final LevelShiftCusum cusum;
    private final DriftDetector drift;
    /** Spikes by time of day, null when the discount is off. */
    private final RecurringSpikes recurring;
    private final double minSigma;
    /** Whether the peaks-over-threshold model may lower the q99 tail factor ({@link PotTail}). */
    private final boolean potTail;
    private long points;
    private boolean inEpisode;
    /** The residual window's scale at the previous point (NaN before the first). */
    private double lastResidualSigma = Double.NaN;
    private int quiet;

    public AnomalyDetector(String metric, AnomalyConfig config, ForecasterConfig baselineConfig, Clock clock) {
        this(metric, config, baselineConfig, clock, 0);
    }

    /**
     * @param minSigma a floor on the residual scale in the metric's own unit, so a metric that is almost always
     *                 the same (an error rate of 0) does not turn its first tiny change into a huge z
     */
    public AnomalyDetector(String metric, AnomalyConfig config, ForecasterConfig baselineConfig, Clock clock,
                           double minSigma) {
        this(metric, config, baselineConfig, clock, minSigma, true);
    }

    /**
     * @param potTail false keeps the q99 tail factor alone (the detector before {@link PotTail}), for comparison in
     *                tests
     */
    AnomalyDetector(String metric, AnomalyConfig config, ForecasterConfig baselineConfig, Clock clock,
                    double minSigma, boolean potTail) {
        this.potTail = potTail;
        this.minSigma = Math.max(0, minSigma);
        this.metric = metric;
        this.config = config;
        this.baseline = new OnlineForecaster(baselineConfig, clock);
        this.residuals = new RobustWindow(config.residualWindow());
        this.absZ = new RobustWindow(2 * config.residualWindow());
        this.cusum = new LevelShiftCusum(config.cusumDrift(), config.cusumThreshold(), config.residualWindow());
        this.drift = config.driftWindow() > 0 ? new DriftDetector(config.driftWindow(),
                driftReferenceLength(config.driftWindow(), baselineConfig), config.alertThreshold(), this.minSigma)
                : null;
        this.recurring = config.recurringDays() > 0
                ? new RecurringSpikes(config.recurringDays(), config.recurringWindowDays(),
                        config.recurringJitter(), config.recurringJitterSteps(), config.recurringZone()) : null;
    }

    /**
     * The drift reference (and its Mann-Kendall window) spans 8 test windows and the longest preferred season of
     * the baseline config that fits in {@link #MAX_DRIFT_REFERENCE} (a week of 5-minute steps, a day of 1-minute
     * ones; the shortest, capped, when none fits): the baseline often keeps a non-seasonal model for one-step
     * forecasts, and every cycle it leaves in the values must sit inside the reference range and cancel out over
     * the trend window. A periodic component read over part of its period is a trend to Mann-Kendall (Hirsch,
     * Slack and Smith 1982, why the seasonal Kendall test exists). With a day, a weekly cycle made every Monday a
     * drift (NAB Twitter_volume_GOOG: Monday's afternoon above all of Sunday).
     */
    static int driftReferenceLength(int window, ForecasterConfig baselineConfig) {
        int shortest = Integer.MAX_VALUE;
        int longestFitting = 0;
        for (int p : baselineConfig.preferredPeriods()) {
            if (p > 1) {
                shortest = Math.min(shortest, p);
                if (p <= MAX_DRIFT_REFERENCE) {
                    longestFitting = Math.max(longestFitting, p);
                }
            }
        }
        int cycle = longestFitting > 0 ? longestFitting
                : shortest == Integer.MAX_VALUE ? 0 : Math.min(MAX_DRIFT_REFERENCE, shortest);
        return Math.max(8 * window, cycle);
    }

    public AnomalyDetector(String metric) {
        this(metric, AnomalyConfig.DEFAULTS, ForecasterConfig.DEFAULTS, Clock.systemUTC());
    }

    /** The seasonal baseline (forecaster) this detector scores against. */
    public OnlineForecaster baseline() {
        return baseline;
    }

    public String metric() {
        return metric;
    }

    public AnomalyConfig config() {
        return config;
    }

    /** Scores one observation without peer comparison. */
    public AnomalyScore observe(Instant at, double value) {
        return observe(at, value, null);
    }

    /**
     * Scores one observation.
     *
     * @param value the observation, NaN when missing (scores 0, closes nothing)
     * @param peerValues the same metric at this instance's peers now, or null
     */
    public AnomalyScore observe(Instant at, double value, double[] peerValues) {
        OnlineForecaster.Step step = baseline.observe(value);
        points++;
        if (recurring != null) {
            recurring.time(at);
        }
        if (Double.isNaN(value) || Double.isNaN(step.error())) {
            return AnomalyScore.NONE;
        }
        double residual = step.error();
        // the floor relative to the magnitudes involved is the numbers' own resolution: a series that has been
        // exactly constant (MAD and mean deviation 0) still has a scale, so its first departure (5, 5, ..., 50, or
        // an error count 0, 0, ..., 7) is scored instead of never being standardised (the drift reference has the
        // same floor)
        double center = residuals.median();
        // the same resolution applies to the residuals' own magnitudes: a baseline converging on an exactly
        // periodic series takes its residuals down to 1e-20 and below, a scale that is rounding, not the series
        double maxDeviation = residuals.size() > 0
                ? Math.max(residuals.quantile(1) - center, center - residuals.quantile(0)) : 0;
        double residualSigma = Math.max(Math.max(residuals.robustSigma(), minSigma),
                RELATIVE_RESOLUTION * maxDeviation);
        double sigma = Math.max(residualSigma,
                RELATIVE_RESOLUTION * Math.max(Math.abs(value), Math.abs(step.forecast())));
        // standardise once past the warm-up; score only once the series' own tail is known: before
        // MIN_TAIL_SAMPLES standardised residuals the tail factor would be 1, and a series whose normal
        // behaviour is heavy-tailed or multi-modal (a quantised CPU metric that is 0.132 four times in five and
        // 0.066 the fifth) would alert on every ordinary point until the tail is learnt
        boolean standardising = points > config.warmupPoints() && residuals.size() >= 10;
        boolean scoring = standardising && absZ.size() >= MIN_TAIL_SAMPLES;
        // sigma is 0 only when the value, the forecast and every recent residual are 0: no deviation, z = 0
        double z = standardising && sigma > 0 ? (residual - center) / sigma : 0;
        // the |z| in absZ were standardised with the sigma of their own time. A series whose residuals are
        // mostly ~0 (an idle metric with a periodic job, forecast almost exactly) has a MAD that implodes, by
        // orders of magnitude in one step, when the residuals of a new regime (1e-7: the baseline's state decaying
        // after an anomaly) come to fill half of the window (Rousseeuw and Croux 1993 on the MAD's implosion).
        // Scored against the old |z|, every routine error of the baseline then read as 1e4-1e6 sigmas for the
        // ~20 points until 1 % of absZ had been re-scored. A scale over a window of 30 or more residuals (1 000
        // once warm) cannot fall tenfold in one step by sampling or by a baseline learning gradually; when it does,
        // absZ is re-scored from the residual window under the new sigma
        if (standardising && sigma > 0 && residuals.size() >= MIN_TAIL_SAMPLES
                && residualSigma < lastResidualSigma / SCALE_COLLAPSE_RATIO) {
            absZ.clear();
            for (double r : residuals.toArray()) {
                absZ.add(Math.abs(r - center) / sigma);
            }
        }
        lastResidualSigma = residualSigma;
        double q99Factor = 1;
        double tail = 1;
        if (absZ.size() >= MIN_TAIL_SAMPLES) {
            q99Factor = Math.max(1, absZ.quantile(0.99) / GAUSS_Q99);
            // beyond q99 the spike's factor is lowered by the peaks-over-threshold model where the fitted tail
            // thins out faster than a scaled Gaussian (the CUSUM keeps the q99 factor: see PotTail)
            tail = potTail ? PotTail.factor(Math.abs(z), q99Factor, absZ) : q99Factor;
        }
        double spike = scoring ? ScoreScale.SPIKE.score(Math.abs(z) / tail) : 0;
        if (recurring != null && spike > 0) {
            // every spike is remembered by its time, discounted or not, so a job keeps being recognised; the
            // discount applies to the spike score only (a level shift at the job's time is the CUSUM's)
            double centred = residual - center;
            if (recurring.recurring(at, centred)) {
                spike = 0;
            }
            recurring.remember(at, centred);
        }
        if (standardising) {
            absZ.add(Math.abs(z));
        }
        residuals.add(residual);

        LevelShiftCusum.Step shiftStep = scoring ? cusum.observe(z / q99Factor) : new LevelShiftCusum.Step(0, 0, false);
        double shift = shiftStep.score();

        double peer = 0;
        double peerMedian = Double.NaN;
        if (peerValues != null && peerValues.length >= PeerOutlierScore.MIN_PEERS) {
            peer = PeerOutlierScore.score(value, peerValues, 1e-9 * Math.max(1, Math.abs(value)));
            peerMedian = PeerOutlierScore.median(peerValues);
        }
        // the drift score needs the fitted season (x = y - s_t); before the first fit it waits
        DriftDetector.Step driftStep = drift != null && step.warm() && points > config.warmupPoints()
                ? drift.observe(value - step.seasonal(), baseline.period()) : DriftDetector.Step.NONE;
        double driftScore = driftStep.score();

        double score = Math.max(Math.max(spike, shift), Math.max(peer, driftScore));
        Optional<Alert> alert = Optional.empty();
        if (score >= config.alertThreshold()) {
            quiet = 0;
            if (!inEpisode) {
                inEpisode = true;
                alert = Optional.of(alert(at, value, step.forecast(), z, tail, spike, shift, shiftStep, peer,
                        peerMedian, driftStep, score));
                if (drift != null && alert.get().kind().equals("level_shift")) {
                    // the change is reported; a drift reference from before it would report it again later
                    drift.reset();
                }
            }
        } else if (inEpisode && ++quiet >= config.quietPoints()) {
            inEpisode = false;
            quiet = 0;
        }
        return new AnomalyScore(score, spike, shift, peer, driftScore, step.forecast(), z, alert);
    }

    private Alert alert(Instant at, double value, double expected, double z, double tail, double spike,
                        double shift, LevelShiftCusum.Step shiftStep, double peer, double peerMedian,
                        DriftDetector.Step driftStep, double score) {
        String kind;
        String explanation;
        double drift = driftStep.score();
        if (drift > spike && drift > shift && drift > peer) {
            kind = "drift";
            explanation = String.format(Locale.ROOT,
                    "%s = %.4g, baseline expected %.4g: de-seasonalised level drifted to %.4g (reference median"
                            + " %.4g), %.1f robust sigmas outside the reference range [%.4g, %.4g], Mann-Kendall"
                            + " z %.1f", metric, value, expected, driftStep.recentMedian(),
                    driftStep.referenceMedian(), driftStep.excess(), driftStep.rangeLow(), driftStep.rangeHigh(),
                    driftStep.mannKendallZ());
        } else if (spike >= shift && spike >= peer) {
            kind = "spike";
            explanation = String.format(Locale.ROOT,
                    "%s = %.4g, baseline expected %.4g: residual is %.1f robust sigmas%s", metric, value,
                    expected, z, tail > 1 ? String.format(Locale.ROOT, " (tail factor %.2f)", tail) : "");
        } else if (shift >= peer) {
            kind = "level_shift";
            explanation = String.format(Locale.ROOT,
                    "%s = %.4g, baseline expected %.4g: errors of one sign accumulated, CUSUM %.1f of %.1f",
                    metric, value, expected, shiftStep.statistic(), config.cusumThreshold());
        } else {
            kind = "peer_outlier";
            explanation = String.format(Locale.ROOT, "%s = %.4g while peers' median is %.4g", metric, value,
                    peerMedian);
            expected = peerMedian;
        }
        return new Alert(metric, at, score, score >= 0.99 ? "critical" : "warning", kind, explanation, value,
                expected);
    }
}
