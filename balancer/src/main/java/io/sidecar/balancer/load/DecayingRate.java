package io.sidecar.balancer.load;

/**
 * Failure probability from time-decayed counts: every observation has weight {@code exp(-age / tau)}.
 *
 * <pre>
 *   failures, total decay by exp(-dt / tau) between observations
 *   p(failure) = (failures + priorFailures) / (total + priorTotal)
 * </pre>
 *
 * The prior (Laplace-style smoothing, here 0 failures in 1 call) keeps an endpoint without data at p = 0 and lets
 * the estimate return towards 0 as old failures age out, so an endpoint that recovered is tried again.
 */
public final class DecayingRate {

    private static final double PRIOR_FAILURES = 0.0;
    private static final double PRIOR_TOTAL = 1.0;

    private final double tauNanos;
    private double failures;
    private double total;
    private long stampNanos;

    public DecayingRate(long tauNanos, long nowNanos) {
        if (tauNanos <= 0) {
            throw new IllegalArgumentException("tau must be > 0");
        }
        this.tauNanos = tauNanos;
        this.stampNanos = nowNanos;
    }

    private void decayTo(long nowNanos) {
        if (nowNanos > stampNanos) {
            double w = Math.exp(-(nowNanos - stampNanos) / tauNanos);
            failures *= w;
            total *= w;
            stampNanos = nowNanos;
        }
    }

    public void record(long nowNanos, boolean failure) {
        decayTo(nowNanos);
        total += 1.0;
        if (failure) {
            failures += 1.0;
        }
    }

    public double probability(long nowNanos) {
        decayTo(nowNanos);
        return (failures + PRIOR_FAILURES) / (total + PRIOR_TOTAL);
    }

    /**
     * The probability with an informative prior: {@code priorRate} counted as {@code priorWeight} pseudo-observations
     * (a Beta prior with that mean):
     * <pre>
     *   p = (failures + priorWeight · priorRate) / (total + 1 + priorWeight)
     * </pre>
     * With no own evidence p ≈ priorRate; the prior's share {@code priorWeight / (total + 1 + priorWeight)} shrinks
     * as own (decayed) observations accumulate, and grows back as they age out.
     */
    public double probability(long nowNanos, double priorRate, double priorWeight) {
        decayTo(nowNanos);
        return (failures + PRIOR_FAILURES + priorWeight * priorRate) / (total + PRIOR_TOTAL + priorWeight);
    }

    /** Decayed number of observations (a measure of how much recent evidence there is). */
    public double weight(long nowNanos) {
        decayTo(nowNanos);
        return total;
    }
}
