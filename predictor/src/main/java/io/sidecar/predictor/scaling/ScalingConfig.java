package io.sidecar.predictor.scaling;

import java.time.Duration;

/**
 * The {@code predictor.scaling} section.
 *
 * @param targetUtilization fraction of capacity an instance should run at, (0, 1]
 * @param minReplicas lower clamp, >= 1
 * @param maxReplicas upper clamp, >= minReplicas
 * @param cooldown minimum time between a change and a scale-down (scale-ups are immediate)
 * @param hysteresis a scale-down must leave utilisation at most targetUtilization - hysteresis, so load
 *                   hovering at a boundary does not flap the advice
 * @param horizon how far ahead the forecast peak is taken
 * @param latencySloMillis p99 objective for the capacity knee, 0 for none (USL capacity)
 */
public record ScalingConfig(double targetUtilization, int minReplicas, int maxReplicas, Duration cooldown,
                            double hysteresis, Duration horizon, double latencySloMillis) {
    public static final double DEFAULT_TARGET_UTILIZATION = 0.7;
    public static final int DEFAULT_MIN_REPLICAS = 1;
    public static final int DEFAULT_MAX_REPLICAS = 10;
    public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);
    public static final double DEFAULT_HYSTERESIS = 0.1;
    public static final Duration DEFAULT_HORIZON = Duration.ofMinutes(15);
    public static final double DEFAULT_LATENCY_SLO_MILLIS = 0;

    public static final ScalingConfig DEFAULTS = new ScalingConfig(DEFAULT_TARGET_UTILIZATION, DEFAULT_MIN_REPLICAS,
            DEFAULT_MAX_REPLICAS, DEFAULT_COOLDOWN, DEFAULT_HYSTERESIS, DEFAULT_HORIZON,
            DEFAULT_LATENCY_SLO_MILLIS);

    public ScalingConfig {
        String p = "predictor.scaling.";
        if (!(targetUtilization > 0 && targetUtilization <= 1)) {
            throw new IllegalArgumentException(p + "target_utilization must be in (0, 1], was " + targetUtilization);
        }
        if (minReplicas < 1) {
            throw new IllegalArgumentException(p + "min_replicas must be >= 1, was " + minReplicas);
        }
        if (maxReplicas < minReplicas) {
            throw new IllegalArgumentException(p + "max_replicas must be >= min_replicas (" + minReplicas
                    + "), was " + maxReplicas);
        }
        if (cooldown == null || cooldown.isNegative()) {
            throw new IllegalArgumentException(p + "cooldown must be a non-negative duration, was " + cooldown);
        }
        if (!(hysteresis >= 0 && hysteresis < targetUtilization)) {
            throw new IllegalArgumentException(p + "hysteresis must be in [0, target_utilization), was "
                    + hysteresis);
        }
        if (horizon == null || horizon.toMinutes() < 1 || horizon.toMinutes() > 30) {
            throw new IllegalArgumentException(p + "horizon must be between 1m and 30m, was " + horizon);
        }
        if (!(latencySloMillis >= 0)) {
            throw new IllegalArgumentException(p + "latency_slo must be >= 0, was " + latencySloMillis);
        }
    }
}
