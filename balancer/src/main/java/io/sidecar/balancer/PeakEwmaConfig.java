package io.sidecar.balancer;

import java.time.Duration;

/**
 * Peak-EWMA settings (Linkerd defaults: decay 10 s, default RTT 30 ms for endpoints without observations).
 * Invalid values throw IllegalArgumentException naming the field.
 */
public record PeakEwmaConfig(Duration decay, Duration defaultRtt) {

    public static final Duration DEFAULT_DECAY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RTT = Duration.ofMillis(30);
    public static final PeakEwmaConfig DEFAULTS = new PeakEwmaConfig(DEFAULT_DECAY, DEFAULT_RTT);

    public PeakEwmaConfig {
        if (decay == null || decay.isNegative() || decay.isZero()) {
            throw new IllegalArgumentException("peakEwma.decay must be a positive duration, was " + decay);
        }
        if (defaultRtt == null || defaultRtt.isNegative()) {
            throw new IllegalArgumentException("peakEwma.defaultRtt must be >= 0, was " + defaultRtt);
        }
    }
}
