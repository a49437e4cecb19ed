package io.sidecar.balancer.load;

/**
 * Latency conditioned on load: the online model behind the {@code predictive} strategy.
 *
 * <p>Prequal (Wydrowski et al., "Load is not what you should balance: Introducing Prequal", NSDI 2024) estimates, per
 * replica, the latency of requests that were served while the replica had a given number of requests in flight
 * (RIF), because latency at the current RIF predicts the next request better than a load-blind average. Here the
 * client learns the same relation from its own observations: every completed request is recorded in the bucket of
 * the load level it was sent at (level = requests in flight including itself; buckets 1, 2, 3-4, 5-8, 9-16, ...).
 * Each bucket keeps a time-decayed mean (weights {@code exp(-age/tau)}) of latency and of the exact level.
 *
 * <p>Prediction for level k:
 * <ul>
 *   <li>k's bucket has data: its mean, corrected linearly between neighbouring populated buckets;</li>
 *   <li>only lower buckets have data: the nearest lower mean scaled by k / level_mean (latency grows in proportion
 *       to the queue length beyond observed load; a pessimistic single-server-queue assumption);</li>
 *   <li>only higher buckets have data: the nearest higher mean (an over-estimate, safe).</li>
 * </ul>
 */
public final class LatencyByLoad {

    static final int BUCKETS = 16;

    private final double tauNanos;
    private final double[] weight = new double[BUCKETS];
    private final double[] latencySum = new double[BUCKETS];
    private final double[] levelSum = new double[BUCKETS];
    private final long[] stamp = new long[BUCKETS];
    private long samples;

    public LatencyByLoad(long tauNanos) {
        if (tauNanos <= 0) {
            throw new IllegalArgumentException("tau must be > 0");
        }
        this.tauNanos = tauNanos;
    }

    /** Bucket index of a load level: 1 → 0, 2 → 1, 3-4 → 2, 5-8 → 3, ... */
    static int bucketOf(int level) {
        if (level <= 1) {
            return 0;
        }
        int b = 32 - Integer.numberOfLeadingZeros(level - 1);
        return Math.min(b, BUCKETS - 1);
    }

    private void decay(int b, long nowNanos) {
        if (nowNanos > stamp[b]) {
            double w = Math.exp(-(nowNanos - stamp[b]) / tauNanos);
            weight[b] *= w;
            latencySum[b] *= w;
            levelSum[b] *= w;
            stamp[b] = nowNanos;
        }
    }

    public void record(long nowNanos, int level, double latencyNanos) {
        int lvl = Math.max(1, level);
        int b = bucketOf(lvl);
        decay(b, nowNanos);
        weight[b] += 1.0;
        latencySum[b] += latencyNanos;
        levelSum[b] += lvl;
        samples++;
    }

    /** Number of observations ever recorded. */
    public long samples() {
        return samples;
    }

    /** Total decayed weight of all buckets (recent evidence). */
    public double weight(long nowNanos) {
        double sum = 0;
        for (int b = 0; b < BUCKETS; b++) {
            decay(b, nowNanos);
            sum += weight[b];
        }
        return sum;
    }

    private static final double MIN_WEIGHT = 1e-6;

    /** Predicted latency (nanos) of a request sent at load level {@code level}, or NaN without any data. */
    public double predict(long nowNanos, int level) {
        int lvl = Math.max(1, level);
        int target = bucketOf(lvl);
        int lower = -1;
        int upper = -1;
        for (int b = target; b >= 0; b--) {
            decay(b, nowNanos);
            if (weight[b] > MIN_WEIGHT) {
                lower = b;
                break;
            }
        }
        for (int b = lower == target ? target + 1 : target; b < BUCKETS; b++) {
            decay(b, nowNanos);
            if (weight[b] > MIN_WEIGHT) {
                upper = b;
                break;
            }
        }
        if (lower < 0 && upper < 0) {
            return Double.NaN;
        }
        if (lower < 0) {
            return latencySum[upper] / weight[upper];
        }
        double lowLatency = latencySum[lower] / weight[lower];
        double lowLevel = levelSum[lower] / weight[lower];
        if (lvl <= lowLevel) {
            return lowLatency;
        }
        if (upper < 0) {
            return lowLatency * lvl / lowLevel;
        }
        double highLatency = latencySum[upper] / weight[upper];
        double highLevel = levelSum[upper] / weight[upper];
        if (lvl >= highLevel || highLevel <= lowLevel) {
            return Math.max(lowLatency, highLatency);
        }
        double f = (lvl - lowLevel) / (highLevel - lowLevel);
        return lowLatency + f * (highLatency - lowLatency);
    }
}
