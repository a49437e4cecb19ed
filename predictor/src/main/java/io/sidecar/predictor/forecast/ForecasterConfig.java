package io.sidecar.predictor.forecast;

/**
 * Settings of {@link OnlineForecaster}.
 *
 * @param maxHistory observations kept for refits (must hold 2.5 seasons of the longest season to be found)
 * @param maxFitWindow the most recent observations a refit trains and validates on
 * @param minFitPoints observations before the first fit; forecasts are empty until then
 * @param refitEvery observations between refits (at least a quarter of the fit window passes between refits)
 * @param maxSeason the longest season searched for, in observations
 * @param keepVersions model versions remembered for listing and roll-back
 * @param intervalZ normal quantile of the prediction interval (1.96 = 95 %)
 * @param evalHorizon a candidate fit is compared with the model in use on the mean absolute error over
 *                    horizons 1..evalHorizon (the horizons the forecasts are used for)
 * @param preferredPeriods calendar seasons in observations (a day, a week) preferred when the ACF peak is near
 */
public record ForecasterConfig(int maxHistory, int maxFitWindow, int minFitPoints, int refitEvery, int maxSeason,
                               int keepVersions, double intervalZ, int evalHorizon, int[] preferredPeriods) {
    public static final int DEFAULT_MAX_HISTORY = 12_000;
    public static final int DEFAULT_MAX_FIT_WINDOW = 6_000;
    public static final int DEFAULT_MIN_FIT_POINTS = 30;
    public static final int DEFAULT_REFIT_EVERY = 60;
    /** One week of 5-minute points; a week of 1-minute roll-ups would need maxHistory >= 25 200. */
    public static final int DEFAULT_MAX_SEASON = 2_016;
    public static final int DEFAULT_KEEP_VERSIONS = 20;
    public static final double DEFAULT_INTERVAL_Z = 1.96;
    public static final int DEFAULT_EVAL_HORIZON = 30;
    /** For 1-minute roll-ups: one day. */
    public static final int[] DEFAULT_PREFERRED_PERIODS = {1_440};

    public static final ForecasterConfig DEFAULTS = new ForecasterConfig(DEFAULT_MAX_HISTORY, DEFAULT_MAX_FIT_WINDOW,
            DEFAULT_MIN_FIT_POINTS, DEFAULT_REFIT_EVERY, DEFAULT_MAX_SEASON, DEFAULT_KEEP_VERSIONS,
            DEFAULT_INTERVAL_Z, DEFAULT_EVAL_HORIZON, DEFAULT_PREFERRED_PERIODS);

    /** The defaults for a series with the given time step: a day and a week of steps are preferred seasons. */
    public static ForecasterConfig forStep(double stepSeconds, int evalHorizon) {
        int day = (int) Math.round(86_400 / stepSeconds);
        int week = day * 7;
        return new ForecasterConfig(DEFAULT_MAX_HISTORY, DEFAULT_MAX_FIT_WINDOW, DEFAULT_MIN_FIT_POINTS,
                DEFAULT_REFIT_EVERY, DEFAULT_MAX_SEASON, DEFAULT_KEEP_VERSIONS, DEFAULT_INTERVAL_Z,
                Math.max(1, evalHorizon), new int[] {day, week});
    }

    public ForecasterConfig {
        if (minFitPoints < 10) {
            throw new IllegalArgumentException("minFitPoints must be >= 10, was " + minFitPoints);
        }
        if (maxFitWindow < minFitPoints) {
            throw new IllegalArgumentException("maxFitWindow must be >= minFitPoints, was " + maxFitWindow);
        }
        if (maxHistory < maxFitWindow) {
            throw new IllegalArgumentException("maxHistory must be >= maxFitWindow, was " + maxHistory);
        }
        if (refitEvery < 1) {
            throw new IllegalArgumentException("refitEvery must be >= 1, was " + refitEvery);
        }
        if (maxSeason < 0) {
            throw new IllegalArgumentException("maxSeason must be >= 0, was " + maxSeason);
        }
        if (keepVersions < 1) {
            throw new IllegalArgumentException("keepVersions must be >= 1, was " + keepVersions);
        }
        if (evalHorizon < 1) {
            throw new IllegalArgumentException("evalHorizon must be >= 1, was " + evalHorizon);
        }
        preferredPeriods = preferredPeriods == null ? new int[0] : preferredPeriods.clone();
        if (!(intervalZ > 0)) {
            throw new IllegalArgumentException("intervalZ must be > 0, was " + intervalZ);
        }
    }
}
