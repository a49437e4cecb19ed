package io.sidecar.balancer.limit;

import static io.sidecar.balancer.ConfigRequire.positive;

import java.time.Duration;

/**
 * Envoy adaptive concurrency ({@code envoy.extensions.filters.http.adaptive_concurrency.v3.GradientControllerConfig})
 * settings and defaults. Invalid values throw IllegalArgumentException naming the field.
 *
 * @param sampleWindow        concurrency_update_interval: how often the limit is recomputed (100 ms)
 * @param samplePercentile    sample_aggregate_percentile of the window's latencies (50 %)
 * @param minRttInterval      min_rtt_calc_params.interval: how often minRTT is re-measured (60 s)
 * @param minRttRequests      min_rtt_calc_params.request_count: samples for a minRTT measurement (50)
 * @param minRttBufferPercent min_rtt_calc_params.buffer: B = minRTT · buffer (25 %)
 * @param minConcurrency      min_rtt_calc_params.min_concurrency: the limit while measuring minRTT and the floor (3)
 * @param maxConcurrency      concurrency_limit_params.max_concurrency_limit (1000)
 */
public record AdaptiveConcurrencyConfig(boolean enabled, Duration sampleWindow, double samplePercentile,
                                        Duration minRttInterval, int minRttRequests, double minRttBufferPercent,
                                        int minConcurrency, int maxConcurrency) {

    public static final Duration DEFAULT_SAMPLE_WINDOW = Duration.ofMillis(100);
    public static final double DEFAULT_SAMPLE_PERCENTILE = 50.0;
    public static final Duration DEFAULT_MIN_RTT_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_MIN_RTT_REQUESTS = 50;
    public static final double DEFAULT_MIN_RTT_BUFFER_PERCENT = 25.0;
    public static final int DEFAULT_MIN_CONCURRENCY = 3;
    public static final int DEFAULT_MAX_CONCURRENCY = 1000;

    public static final AdaptiveConcurrencyConfig DISABLED = new AdaptiveConcurrencyConfig(false, DEFAULT_SAMPLE_WINDOW,
            DEFAULT_SAMPLE_PERCENTILE, DEFAULT_MIN_RTT_INTERVAL, DEFAULT_MIN_RTT_REQUESTS,
            DEFAULT_MIN_RTT_BUFFER_PERCENT, DEFAULT_MIN_CONCURRENCY, DEFAULT_MAX_CONCURRENCY);
    public static final AdaptiveConcurrencyConfig ENABLED_DEFAULTS = new AdaptiveConcurrencyConfig(true,
            DEFAULT_SAMPLE_WINDOW, DEFAULT_SAMPLE_PERCENTILE, DEFAULT_MIN_RTT_INTERVAL, DEFAULT_MIN_RTT_REQUESTS,
            DEFAULT_MIN_RTT_BUFFER_PERCENT, DEFAULT_MIN_CONCURRENCY, DEFAULT_MAX_CONCURRENCY);

    public AdaptiveConcurrencyConfig {
        positive("adaptiveConcurrency.sampleWindow", sampleWindow);
        if (!(samplePercentile > 0 && samplePercentile <= 100)) {
            throw new IllegalArgumentException("adaptiveConcurrency.samplePercentile must be in (0, 100], was " + samplePercentile);
        }
        positive("adaptiveConcurrency.minRttInterval", minRttInterval);
        if (minRttRequests < 1) {
            throw new IllegalArgumentException("adaptiveConcurrency.minRttRequests must be >= 1, was " + minRttRequests);
        }
        if (!(minRttBufferPercent >= 0 && minRttBufferPercent <= 100)) {
            throw new IllegalArgumentException("adaptiveConcurrency.minRttBufferPercent must be 0..100, was " + minRttBufferPercent);
        }
        if (minConcurrency < 1) {
            throw new IllegalArgumentException("adaptiveConcurrency.minConcurrency must be >= 1, was " + minConcurrency);
        }
        if (maxConcurrency < minConcurrency) {
            throw new IllegalArgumentException("adaptiveConcurrency.maxConcurrency must be >= minConcurrency, was " + maxConcurrency);
        }
    }

}
