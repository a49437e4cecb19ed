package io.sidecar.balancer;

import java.util.List;

/**
 * Read-only view of a cluster for {@code GET /clusters/{name}}.
 *
 * @param balancer           strategy name
 * @param breakerState       the cluster breaker's state
 * @param breakerFailureRate failure rate (%) in the breaker window, -1 below the minimum number of calls
 * @param panic              true when too few endpoints are healthy (not ejected, not failing active health checks)
 *                           and all are routed to (Envoy panic mode)
 * @param concurrencyLimit   the adaptive concurrency limit, -1 when disabled
 */
public record ClusterSnapshot(String name, String balancer, String breakerState, float breakerFailureRate,
                              float breakerSlowCallRate, boolean panic, int activeRequests, int activeRetries,
                              int concurrencyLimit, List<EndpointSnapshot> endpoints) {
}
