package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

/**
 * Envoy slow start ({@code EdfLoadBalancerBase::applySlowStartFactor}, docs "Slow start mode"): an endpoint that
 * joined less than {@code window} ago gets
 *
 * <pre>
 *   time_factor = max(age, 1 ms) / window
 *   weight' = weight * max(min_weight_percent, time_factor ^ (1 / aggression))
 * </pre>
 *
 * Applies only to endpoints added after the cluster was built (the initial set starts together, so scaling them
 * all would change nothing).
 */
public record SlowStart(long windowNanos, double aggression, double minWeightFraction) {

    public static final SlowStart DISABLED = new SlowStart(0, 1.0, 0.1);
    private static final long ONE_MS = 1_000_000L;

    public boolean enabled() {
        return windowNanos > 0;
    }

    public boolean inSlowStart(EndpointState s, long nowNanos) {
        return enabled() && s.slowStartEligible() && nowNanos - s.addedAtNanos() < windowNanos;
    }

    /** Multiplier in (0, 1] for the endpoint's weight right now. */
    public double factor(EndpointState s, long nowNanos) {
        if (!inSlowStart(s, nowNanos)) {
            return 1.0;
        }
        double timeFactor = (double) Math.max(ONE_MS, nowNanos - s.addedAtNanos()) / windowNanos;
        double scaled = aggression == 1.0 ? timeFactor : Math.pow(timeFactor, 1.0 / aggression);
        return Math.max(scaled, minWeightFraction);
    }
}
