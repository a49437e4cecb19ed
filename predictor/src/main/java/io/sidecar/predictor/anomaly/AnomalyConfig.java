package io.sidecar.predictor.anomaly;

/**
 * Settings of {@link AnomalyDetector}.
 *
 * @param alertThreshold score at or above which an alert is raised, (0, 1]
 * @param residualWindow one-step residuals kept for the robust (median / MAD) scale
 * @param warmupPoints observations before any score above 0 is given
 * @param cusumDrift CUSUM allowance k in residual sigmas (Page 1954; k = delta/2 detects delta-sigma shifts)
 * @param cusumThreshold CUSUM decision interval h in residual sigmas
 * @param quietPoints consecutive points under the threshold that end an alert episode
 * @param driftWindow test window of the gradual-drift score in points ({@link DriftDetector}); 0 turns it off
 * @param recurringDays a spike is discounted when a like one occurred at about the same time of day on each of
 *                      this many previous days ({@link RecurringSpikes}); 0 turns the discount off
 * @param recurringJitterSteps how many steps either side of the same time of day a previous day's spike may be
 */
public record AnomalyConfig(double alertThreshold, int residualWindow, int warmupPoints, double cusumDrift,
                            double cusumThreshold, int quietPoints, int driftWindow, int recurringDays,
                            int recurringJitterSteps) {
    public static final double DEFAULT_ALERT_THRESHOLD = 0.9;
    public static final int DEFAULT_RESIDUAL_WINDOW = 1_000;
    public static final int DEFAULT_WARMUP_POINTS = 50;
    public static final double DEFAULT_CUSUM_DRIFT = 0.5;
    public static final double DEFAULT_CUSUM_THRESHOLD = 10.0;
    public static final int DEFAULT_QUIET_POINTS = 10;
    public static final int DEFAULT_DRIFT_WINDOW = 30;
    /** Three nights in a row make a job: the first three occurrences alert, the fourth does not. */
    public static final int DEFAULT_RECURRING_DAYS = 3;
    /** Six steps either side: half an hour of 5-minute points, six minutes of 1-minute roll-ups. */
    public static final int DEFAULT_RECURRING_JITTER_STEPS = 6;

    public static final AnomalyConfig DEFAULTS = new AnomalyConfig(DEFAULT_ALERT_THRESHOLD, DEFAULT_RESIDUAL_WINDOW,
            DEFAULT_WARMUP_POINTS, DEFAULT_CUSUM_DRIFT, DEFAULT_CUSUM_THRESHOLD, DEFAULT_QUIET_POINTS,
            DEFAULT_DRIFT_WINDOW, DEFAULT_RECURRING_DAYS, DEFAULT_RECURRING_JITTER_STEPS);

    /** The settings before the recurring-spike discount existed, with its defaults (3 days, 6 steps). */
    public AnomalyConfig(double alertThreshold, int residualWindow, int warmupPoints, double cusumDrift,
                         double cusumThreshold, int quietPoints, int driftWindow) {
        this(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold, quietPoints, driftWindow,
                DEFAULT_RECURRING_DAYS, DEFAULT_RECURRING_JITTER_STEPS);
    }

    /** The settings before the drift score existed (drift window 0 = off; the recurring-spike discount at its defaults). */
    public AnomalyConfig(double alertThreshold, int residualWindow, int warmupPoints, double cusumDrift,
                         double cusumThreshold, int quietPoints) {
        this(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold, quietPoints, 0);
    }

    public AnomalyConfig {
        if (!(alertThreshold > 0 && alertThreshold <= 1)) {
            throw new IllegalArgumentException("predictor.anomaly.alert_threshold must be in (0, 1], was "
                    + alertThreshold);
        }
        if (residualWindow < 10) {
            throw new IllegalArgumentException("residualWindow must be >= 10, was " + residualWindow);
        }
        if (warmupPoints < 10) {
            throw new IllegalArgumentException("warmupPoints must be >= 10, was " + warmupPoints);
        }
        if (!(cusumDrift >= 0)) {
            throw new IllegalArgumentException("cusumDrift must be >= 0, was " + cusumDrift);
        }
        if (!(cusumThreshold > 0)) {
            throw new IllegalArgumentException("cusumThreshold must be > 0, was " + cusumThreshold);
        }
        if (quietPoints < 1) {
            throw new IllegalArgumentException("quietPoints must be >= 1, was " + quietPoints);
        }
        if (driftWindow != 0 && driftWindow < 10) {
            throw new IllegalArgumentException("predictor.anomaly.drift_window must be 0 (off) or >= 10, was "
                    + driftWindow);
        }
        if (recurringDays < 0) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_days must be >= 0 (0 = off), was "
                    + recurringDays);
        }
        if (recurringJitterSteps < 0) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_jitter_steps must be >= 0, was "
                    + recurringJitterSteps);
        }
    }

    public AnomalyConfig withAlertThreshold(double threshold) {
        return new AnomalyConfig(threshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, recurringDays, recurringJitterSteps);
    }

    public AnomalyConfig withDriftWindow(int window) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, window, recurringDays, recurringJitterSteps);
    }

    /** @param days previous days in a row with a like spike that discount one (0 = off) */
    public AnomalyConfig withRecurring(int days, int jitterSteps) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, days, jitterSteps);
    }
}
