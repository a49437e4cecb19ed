package io.sidecar.balancer.strategy;

import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.load.EndpointState;

final class StrategyFixtures {

    static final long MS = 1_000_000L;
    static final EndpointState.Tuning TUNING = new EndpointState.Tuning(10_000 * MS, 30 * MS, 2_000 * MS,
            2_000 * MS, 10_000 * MS, 1_000 * MS, 3_000 * MS, 10);

    private StrategyFixtures() {
    }

    static EndpointState endpoint(String address, int weight) {
        return new EndpointState(Endpoint.of(address, weight), 0, false, TUNING);
    }

    static EndpointState endpoint(String address) {
        return endpoint(address, 1);
    }

    /** Completes {@code n} requests of {@code latencyMs} at load level 1 at time {@code atNanos}. */
    static void observe(EndpointState s, long atNanos, int n, long latencyMs, Outcome outcome) {
        for (int i = 0; i < n; i++) {
            int level = s.onStart(atNanos);
            s.onComplete(atNanos, latencyMs * MS, outcome, LoadHint.NONE, level);
        }
    }
}
