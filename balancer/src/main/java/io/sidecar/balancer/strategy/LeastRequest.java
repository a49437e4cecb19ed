package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Envoy's LEAST_REQUEST ({@code source/extensions/load_balancing_policies/least_request}, docs "Weighted least
 * request"):
 * <ul>
 *   <li>all weights equal (and nobody in slow start): power of {@code choice_count} choices (default 2): sample
 *       {@code choice_count} endpoints at random (with replacement), keep the one with the fewest active requests;
 *       ties keep the earlier sample;</li>
 *   <li>otherwise: weighted round robin (EDF) with {@code weight' = weight / (active + 1)^active_request_bias}
 *       (bias default 1.0), times the slow-start factor.</li>
 * </ul>
 */
public final class LeastRequest implements LoadBalancingStrategy {

    private final int choiceCount;
    private final double activeRequestBias;
    private final SlowStart slowStart;
    private final RandomGenerator random;
    private final EarliestDeadlineFirst scheduler = new EarliestDeadlineFirst();

    public LeastRequest(int choiceCount, double activeRequestBias, SlowStart slowStart, RandomGenerator random) {
        this.choiceCount = choiceCount;
        this.activeRequestBias = activeRequestBias;
        this.slowStart = slowStart;
        this.random = random;
    }

    @Override
    public StrategyName name() {
        return StrategyName.LEAST_REQUEST;
    }

    /** Envoy's hostWeight for the weighted path: weight / (active + 1)^bias, times the slow-start factor. */
    public double effectiveWeight(EndpointState s, long nowNanos) {
        double w;
        if (activeRequestBias == 0.0) {
            w = s.weight();
        } else if (activeRequestBias == 1.0) {
            w = s.weight() / (double) (s.pending() + 1);
        } else {
            w = s.weight() / Math.pow(s.pending() + 1, activeRequestBias);
        }
        return w * slowStart.factor(s, nowNanos);
    }

    @Override
    public EndpointState choose(List<EndpointState> candidates, long nowNanos) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (weighted(candidates, nowNanos)) {
            return scheduler.pick(candidates, nowNanos, this::effectiveWeight);
        }
        EndpointState chosen = null;
        for (int i = 0; i < choiceCount; i++) {
            EndpointState sampled = candidates.get(random.nextInt(candidates.size()));
            if (chosen == null || sampled.pending() < chosen.pending()) {
                chosen = sampled;
            }
        }
        return chosen;
    }

    private boolean weighted(List<EndpointState> candidates, long nowNanos) {
        int first = candidates.get(0).weight();
        for (EndpointState s : candidates) {
            if (s.weight() != first || slowStart.inSlowStart(s, nowNanos)) {
                return true;
            }
        }
        return false;
    }
}
