package io.sidecar.balancer;

import java.time.Duration;

/**
 * Envoy slow start ({@code slow_start_config}): window 0 disables it; aggression 1.0 is linear; the weight never
 * drops below {@code minWeightPercent} %. Invalid values throw IllegalArgumentException naming the field.
 */
public record SlowStartConfig(Duration window, double aggression, double minWeightPercent) {

    public static final Duration DEFAULT_WINDOW = Duration.ZERO;
    public static final double DEFAULT_AGGRESSION = 1.0;
    public static final double DEFAULT_MIN_WEIGHT_PERCENT = 10.0;
    public static final SlowStartConfig DISABLED = new SlowStartConfig(DEFAULT_WINDOW, DEFAULT_AGGRESSION,
            DEFAULT_MIN_WEIGHT_PERCENT);

    public SlowStartConfig {
        if (window == null || window.isNegative()) {
            throw new IllegalArgumentException("slowStart.window must be >= 0, was " + window);
        }
        if (!(aggression > 0) || Double.isInfinite(aggression)) {
            throw new IllegalArgumentException("slowStart.aggression must be > 0, was " + aggression);
        }
        if (!(minWeightPercent >= 0 && minWeightPercent <= 100)) {
            throw new IllegalArgumentException("slowStart.minWeightPercent must be 0..100, was " + minWeightPercent);
        }
    }

    public static SlowStartConfig of(Duration window) {
        return new SlowStartConfig(window, DEFAULT_AGGRESSION, DEFAULT_MIN_WEIGHT_PERCENT);
    }
}
