package io.sidecar.balancer.hedge;

import java.time.Duration;

/**
 * Hedging settings. Invalid values throw IllegalArgumentException naming the field.
 *
 * @param enabled      hedging on (off by default)
 * @param delay        fixed delay before the second try; null: the endpoint's recent latency percentile
 * @param percentile   percentile used when {@code delay} is null (0.95)
 * @param minSamples   latencies the endpoint needs before its percentile is trusted; fewer → {@code fallbackDelay}
 * @param fallbackDelay delay used without enough samples
 * @param minDelay     never hedge sooner than this
 * @param budgetPercent hedges may be at most this % of first tries (a token bucket: each first try deposits
 *                      budgetPercent/100 token, a hedge takes one, at most {@link #MAX_BUDGET_TOKENS} saved), so
 *                      hedging cannot feed on the queues it creates; hedges also count against the retry budget
 */
public record HedgeConfig(boolean enabled, Duration delay, double percentile, int minSamples, Duration fallbackDelay,
                          Duration minDelay, double budgetPercent) {

    public static final boolean DEFAULT_ENABLED = false;
    public static final double DEFAULT_PERCENTILE = 0.95;
    public static final int DEFAULT_MIN_SAMPLES = 20;
    public static final Duration DEFAULT_FALLBACK_DELAY = Duration.ofMillis(100);
    public static final Duration DEFAULT_MIN_DELAY = Duration.ofMillis(1);
    public static final double DEFAULT_BUDGET_PERCENT = 5.0;
    public static final double MAX_BUDGET_TOKENS = 10.0;

    public static final HedgeConfig DISABLED = new HedgeConfig(false, null, DEFAULT_PERCENTILE, DEFAULT_MIN_SAMPLES,
            DEFAULT_FALLBACK_DELAY, DEFAULT_MIN_DELAY, DEFAULT_BUDGET_PERCENT);

    public HedgeConfig {
        if (delay != null && (delay.isNegative() || delay.isZero())) {
            throw new IllegalArgumentException("hedge.delay must be a positive duration, was " + delay);
        }
        if (!(percentile > 0 && percentile < 1)) {
            throw new IllegalArgumentException("hedge.percentile must be in (0, 1), was " + percentile);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("hedge.minSamples must be >= 1, was " + minSamples);
        }
        if (fallbackDelay == null || fallbackDelay.isNegative() || fallbackDelay.isZero()) {
            throw new IllegalArgumentException("hedge.fallbackDelay must be a positive duration, was " + fallbackDelay);
        }
        if (minDelay == null || minDelay.isNegative()) {
            throw new IllegalArgumentException("hedge.minDelay must be >= 0, was " + minDelay);
        }
        if (!(budgetPercent >= 0 && budgetPercent <= 100)) {
            throw new IllegalArgumentException("hedge.budgetPercent must be 0..100, was " + budgetPercent);
        }
    }

    public static HedgeConfig fixed(Duration delay) {
        return new HedgeConfig(true, delay, DEFAULT_PERCENTILE, DEFAULT_MIN_SAMPLES, DEFAULT_FALLBACK_DELAY,
                DEFAULT_MIN_DELAY, DEFAULT_BUDGET_PERCENT);
    }

    public static HedgeConfig atPercentile(double percentile) {
        return new HedgeConfig(true, null, percentile, DEFAULT_MIN_SAMPLES, DEFAULT_FALLBACK_DELAY, DEFAULT_MIN_DELAY,
                DEFAULT_BUDGET_PERCENT);
    }
}
