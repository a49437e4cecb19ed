package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.List;

/** Plain round robin over the candidates in endpoint order, ignoring weights. */
public final class RoundRobin implements LoadBalancingStrategy {

    private long next;

    @Override
    public StrategyName name() {
        return StrategyName.ROUND_ROBIN;
    }

    @Override
    public EndpointState choose(List<EndpointState> candidates, long nowNanos) {
        int i = (int) Math.floorMod(next++, (long) candidates.size());
        return candidates.get(i);
    }
}
