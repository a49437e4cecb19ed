package io.sidecar.predictor.anomaly;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;

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
 * @param recurringDays a spike is discounted when a like one occurred at about the same time of day on at least
 *                      this many of the last {@code recurringWindowDays} days ({@link RecurringSpikes}); 0 turns
 *                      the discount off
 * @param recurringJitterSteps the older form of the tolerance: how many steps either side of the same time of day
 *                             a previous day's spike may be; {@link #JITTER_AS_DURATION} (-1) when
 *                             {@code recurringJitter} gives it instead
 * @param recurringWindowDays how many previous days are looked at (at least {@code recurringDays})
 * @param recurringJitter how far either side of the same time of day a previous day's spike may be, at least one
 *                        step (plus half a step); null when {@code recurringJitterSteps} gives the tolerance
 * @param recurringZone the time zone whose wall-clock time of day the days are counted in (UTC by default; a job
 *                      scheduled in local time keeps its time of day across a daylight-saving change only in its
 *                      own zone)
 */
public record AnomalyConfig(double alertThreshold, int residualWindow, int warmupPoints, double cusumDrift,
                            double cusumThreshold, int quietPoints, int driftWindow, int recurringDays,
                            int recurringJitterSteps, int recurringWindowDays, Duration recurringJitter,
                            ZoneId recurringZone) {
    public static final double DEFAULT_ALERT_THRESHOLD = 0.9;
    public static final int DEFAULT_RESIDUAL_WINDOW = 1_000;
    public static final int DEFAULT_WARMUP_POINTS = 50;
    public static final double DEFAULT_CUSUM_DRIFT = 0.5;
    public static final double DEFAULT_CUSUM_THRESHOLD = 10.0;
    public static final int DEFAULT_QUIET_POINTS = 10;
    public static final int DEFAULT_DRIFT_WINDOW = 30;
    /** Three nights in a row make a job: the first three occurrences alert, the fourth does not. */
    public static final int DEFAULT_RECURRING_DAYS = 3;
    /**
     * The older tolerance in steps (fix I's default: half an hour of 5-minute points, six minutes of 1-minute
     * roll-ups, six hours of hourly points). No longer the default, which is {@link #DEFAULT_RECURRING_JITTER}.
     */
    public static final int DEFAULT_RECURRING_JITTER_STEPS = 6;
    /** {@code recurringJitterSteps} when the tolerance is given as a duration ({@code recurringJitter}). */
    public static final int JITTER_AS_DURATION = -1;
    /** A week: the longest calendar cycle jobs follow (weekday-only jobs); see {@link RecurringSpikes}. */
    public static final int DEFAULT_RECURRING_WINDOW_DAYS = 7;
    /** Half an hour either side of the same time of day, whatever the step (at least one step). */
    public static final Duration DEFAULT_RECURRING_JITTER = Duration.ofMinutes(30);
    /** Days of 86 400 s of UTC instants, as before the zone existed. */
    public static final ZoneId DEFAULT_RECURRING_ZONE = ZoneOffset.UTC;
    /** A tolerance of half a day either side would match every time of day. */
    public static final Duration MAX_RECURRING_JITTER = Duration.ofHours(12);

    public static final AnomalyConfig DEFAULTS = new AnomalyConfig(DEFAULT_ALERT_THRESHOLD, DEFAULT_RESIDUAL_WINDOW,
            DEFAULT_WARMUP_POINTS, DEFAULT_CUSUM_DRIFT, DEFAULT_CUSUM_THRESHOLD, DEFAULT_QUIET_POINTS,
            DEFAULT_DRIFT_WINDOW, DEFAULT_RECURRING_DAYS, JITTER_AS_DURATION, DEFAULT_RECURRING_WINDOW_DAYS,
            DEFAULT_RECURRING_JITTER, DEFAULT_RECURRING_ZONE);

    /**
     * The settings of fix I: the tolerance in steps, and the window the default week (or {@code recurringDays}
     * when that is larger).
     */
    public AnomalyConfig(double alertThreshold, int residualWindow, int warmupPoints, double cusumDrift,
                         double cusumThreshold, int quietPoints, int driftWindow, int recurringDays,
                         int recurringJitterSteps) {
        this(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold, quietPoints, driftWindow,
                recurringDays, recurringJitterSteps, defaultWindowDays(recurringDays), null, DEFAULT_RECURRING_ZONE);
    }

    /** The settings before the recurring-spike discount existed, with its defaults (3 of 7 days, 30 minutes). */
    public AnomalyConfig(double alertThreshold, int residualWindow, int warmupPoints, double cusumDrift,
                         double cusumThreshold, int quietPoints, int driftWindow) {
        this(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold, quietPoints, driftWindow,
                DEFAULT_RECURRING_DAYS, JITTER_AS_DURATION, DEFAULT_RECURRING_WINDOW_DAYS, DEFAULT_RECURRING_JITTER,
                DEFAULT_RECURRING_ZONE);
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
        if (recurringJitterSteps < JITTER_AS_DURATION) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_jitter_steps must be >= 0, was "
                    + recurringJitterSteps);
        }
        if (recurringJitterSteps >= 0 && recurringJitter != null) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_jitter (" + recurringJitter
                    + ") and predictor.anomaly.recurring_jitter_steps (" + recurringJitterSteps
                    + ") are two forms of one tolerance: give one, not both");
        }
        if (recurringJitterSteps < 0 && recurringJitter == null) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_jitter must be given (or "
                    + "predictor.anomaly.recurring_jitter_steps)");
        }
        if (recurringJitter != null && (recurringJitter.isNegative()
                || recurringJitter.compareTo(MAX_RECURRING_JITTER) >= 0)) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_jitter must be >= 0 and under 12 hours, "
                    + "was " + recurringJitter);
        }
        if (recurringZone == null) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_zone must be given (UTC by default)");
        }
        if (recurringWindowDays < Math.max(1, recurringDays)) {
            throw new IllegalArgumentException("predictor.anomaly.recurring_window_days must be >= 1 and at least "
                    + "predictor.anomaly.recurring_days (" + recurringDays + "), was " + recurringWindowDays);
        }
    }

    /** The window when only the days are given: a week, or the days when more. */
    public static int defaultWindowDays(int recurringDays) {
        return Math.max(DEFAULT_RECURRING_WINDOW_DAYS, recurringDays);
    }

    public AnomalyConfig withAlertThreshold(double threshold) {
        return new AnomalyConfig(threshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, recurringDays, recurringJitterSteps, recurringWindowDays, recurringJitter,
                recurringZone);
    }

    public AnomalyConfig withDriftWindow(int window) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, window, recurringDays, recurringJitterSteps, recurringWindowDays, recurringJitter,
                recurringZone);
    }

    /**
     * The older form: the tolerance in steps, the window the default week (or {@code days} when larger).
     *
     * @param days previous days with a like spike that discount one (0 = off)
     */
    public AnomalyConfig withRecurring(int days, int jitterSteps) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, days, jitterSteps, defaultWindowDays(days), null, recurringZone);
    }

    /**
     * The older form of the tolerance, in steps, with a window.
     *
     * @param days how many of the last {@code windowDays} days must have had a like spike (0 = off)
     */
    public AnomalyConfig withRecurringSteps(int days, int windowDays, int jitterSteps) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, days, jitterSteps, windowDays, null, recurringZone);
    }

    /**
     * @param days how many of the last {@code windowDays} days must have had a like spike (0 = off)
     * @param windowDays previous days looked at
     * @param jitter tolerance either side of the same time of day (at least one step is always allowed)
     */
    public AnomalyConfig withRecurring(int days, int windowDays, Duration jitter) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, days, JITTER_AS_DURATION, windowDays, jitter, recurringZone);
    }

    /** @param zone the time zone whose time of day a recurring spike keeps (UTC by default) */
    public AnomalyConfig withRecurringZone(ZoneId zone) {
        return new AnomalyConfig(alertThreshold, residualWindow, warmupPoints, cusumDrift, cusumThreshold,
                quietPoints, driftWindow, recurringDays, recurringJitterSteps, recurringWindowDays, recurringJitter,
                zone);
    }
}
