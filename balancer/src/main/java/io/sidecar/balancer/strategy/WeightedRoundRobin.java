package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.List;

/**
 * Weighted round robin as Envoy's ROUND_ROBIN with weights: earliest-deadline-first scheduling on
 * {@code weight * slowStartFactor} (see {@link EarliestDeadlineFirst}, {@link SlowStart}).
 */
public final class WeightedRoundRobin implements LoadBalancingStrategy {

    private final SlowStart slowStart;
    private final EarliestDeadlineFirst scheduler = new EarliestDeadlineFirst();

    public WeightedRoundRobin(SlowStart slowStart) {
        this.slowStart = slowStart;
    }

    @Override
    public StrategyName name() {
        return StrategyName.WEIGHTED_ROUND_ROBIN;
    }

    /** Effective weight: weight · max(min%, (t / window)^(1/aggression)) during slow start. */
    public double effectiveWeight(EndpointState s, long nowNanos) {
        return s.weight() * slowStart.factor(s, nowNanos);
    }

    @Override
    public EndpointState choose(List<EndpointState> candidates, long nowNanos) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        return scheduler.pick(candidates, nowNanos, this::effectiveWeight);
    }
}
