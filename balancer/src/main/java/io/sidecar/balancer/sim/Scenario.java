package io.sidecar.balancer.sim;

import java.util.List;
import java.util.function.LongToDoubleFunction;

/**
 * One simulated situation: the upstreams, the offered load over time and the client's timeout.
 *
 * @param ratePerSecond offered load (requests per second) as a function of virtual time (Poisson arrivals)
 */
public record Scenario(String id, String title, List<EndpointSpec> endpoints, LongToDoubleFunction ratePerSecond,
                       long durationNanos, long timeoutNanos) {

    public record EndpointSpec(String address, int concurrency, EndpointBehaviour behaviour) {
    }

    /** Same scenario, shorter (for unit tests): time-dependent behaviours must be written against the duration. */
    public Scenario withDuration(long nanos) {
        return new Scenario(id, title, endpoints, ratePerSecond, nanos, timeoutNanos);
    }
}
