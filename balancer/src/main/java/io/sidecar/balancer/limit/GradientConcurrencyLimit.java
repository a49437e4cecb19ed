package io.sidecar.balancer.limit;

import java.util.Arrays;

/**
 * Envoy's adaptive concurrency gradient controller ({@code source/extensions/filters/http/adaptive_concurrency/
 * controller/gradient_controller.cc}, docs "Adaptive Concurrency"):
 *
 * <pre>
 *   minRTT:   every minRttInterval the limit is pinned to minConcurrency until minRttRequests latencies are
 *             collected; minRTT = their samplePercentile
 *   every sampleWindow with samples:
 *     sampleRTT = samplePercentile of the window's latencies
 *     gradient  = clamp((minRTT + minRTT · buffer) / sampleRTT, 0.5, 2.0)
 *     limit'    = limit · gradient;  headroom = sqrt(limit')
 *     limit     = clamp(limit' + headroom, minConcurrency, maxConcurrency)
 * </pre>
 * Requests beyond the limit are shed (503, flag AC) before queues build up and latency collapses.
 * Time is passed in (virtual in tests). Not thread-safe: the cluster serialises access.
 */
public final class GradientConcurrencyLimit {

    private final AdaptiveConcurrencyConfig config;
    private final long windowNanos;
    private final long minRttIntervalNanos;

    private boolean measuringMinRtt = true;
    private long[] minRttSamples;
    private int minRttCount;
    private double minRttNanos = Double.NaN;
    private int limit;
    private int limitBeforeMeasurement;
    private long nextMinRttNanos;
    private long windowEndNanos;
    private long[] window = new long[64];
    private int windowCount;
    private double lastGradient = Double.NaN;

    public GradientConcurrencyLimit(AdaptiveConcurrencyConfig config, long nowNanos) {
        this.config = config;
        this.windowNanos = config.sampleWindow().toNanos();
        this.minRttIntervalNanos = config.minRttInterval().toNanos();
        this.minRttSamples = new long[config.minRttRequests()];
        this.limit = config.minConcurrency();
        this.limitBeforeMeasurement = config.minConcurrency();
        this.windowEndNanos = nowNanos + windowNanos;
    }

    /** The current limit on requests in flight. */
    public int limit(long nowNanos) {
        advance(nowNanos);
        return measuringMinRtt ? config.minConcurrency() : limit;
    }

    public double minRttNanos() {
        return minRttNanos;
    }

    public double lastGradient() {
        return lastGradient;
    }

    public boolean measuringMinRtt() {
        return measuringMinRtt;
    }

    /** Records a successful request's latency. */
    public void onSample(long nowNanos, long latencyNanos) {
        advance(nowNanos);
        if (measuringMinRtt) {
            minRttSamples[minRttCount++] = latencyNanos;
            if (minRttCount == minRttSamples.length) {
                minRttNanos = percentile(minRttSamples, minRttCount, config.samplePercentile());
                measuringMinRtt = false;
                limit = limitBeforeMeasurement;
                nextMinRttNanos = nowNanos + minRttIntervalNanos;
                windowCount = 0;
                windowEndNanos = nowNanos + windowNanos;
            }
            return;
        }
        if (windowCount == window.length) {
            window = Arrays.copyOf(window, window.length * 2);
        }
        window[windowCount++] = latencyNanos;
    }

    private void advance(long nowNanos) {
        if (measuringMinRtt) {
            return;
        }
        if (nowNanos >= nextMinRttNanos) {
            measuringMinRtt = true;
            minRttCount = 0;
            limitBeforeMeasurement = limit;
            return;
        }
        if (nowNanos >= windowEndNanos) {
            if (windowCount > 0) {
                double sampleRtt = percentile(window, windowCount, config.samplePercentile());
                limit = newLimit(limit, minRttNanos, sampleRtt);
            }
            windowCount = 0;
            windowEndNanos = nowNanos + windowNanos;
        }
    }

    /** One gradient step (exposed for tests against hand-computed values). */
    int newLimit(int current, double minRtt, double sampleRtt) {
        double buffered = minRtt + minRtt * config.minRttBufferPercent() / 100.0;
        double gradient = Math.max(0.5, Math.min(2.0, buffered / sampleRtt));
        lastGradient = gradient;
        double scaled = current * gradient;
        double headroom = Math.sqrt(scaled);
        long next = (long) (scaled + headroom);
        return (int) Math.max(config.minConcurrency(), Math.min(config.maxConcurrency(), next));
    }

    static double percentile(long[] values, int count, double percent) {
        long[] copy = Arrays.copyOf(values, count);
        Arrays.sort(copy);
        int rank = (int) Math.ceil(percent / 100.0 * count);
        return copy[Math.min(Math.max(rank, 1), count) - 1];
    }
}
