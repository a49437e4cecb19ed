package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.List;

/**
 * Chooses one endpoint among candidates. Candidates are never empty and are already filtered (excluded by the
 * caller, ejected, breaker open). Implementations keep no per-endpoint statistics of their own beyond scheduling
 * cursors: statistics live in {@link EndpointState} so a strategy can be swapped at run time. Called under the
 * cluster's lock.
 */
public interface LoadBalancingStrategy {

    StrategyName name();

    EndpointState choose(List<EndpointState> candidates, long nowNanos);

    /**
     * Same, knowing the try's deadline (its timeout in nanos, 0 = none). Only {@code predictive} uses it; the
     * others ignore it.
     */
    default EndpointState choose(List<EndpointState> candidates, long nowNanos, long deadlineNanos) {
        return choose(candidates, nowNanos);
    }
}
