package io.sidecar.balancer.health;

/**
 * Read-only view of one endpoint's active health-check state.
 *
 * @param consecutiveFailures failed checks in a row (0 after a pass)
 * @param consecutivePasses   passed checks in a row (0 after a failure)
 * @param lastResult          the last probe's result ({@link ProbeResult#describe()}), null before the first
 * @param nextCheckNanos      when the next probe is due (clock of the balancer)
 */
public record EndpointHealth(HealthStatus status, int consecutiveFailures, int consecutivePasses, String lastResult,
                             long nextCheckNanos) {}
