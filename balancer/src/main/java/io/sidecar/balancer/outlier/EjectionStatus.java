package io.sidecar.balancer.outlier;

/**
 * Read-only view of one endpoint's outlier state.
 *
 * @param ejected          currently ejected
 * @param reason           why it was last ejected (null if never)
 * @param ejectionMultiplier Envoy's eject-time backoff: the next ejection lasts base · multiplier (capped)
 * @param ejectedForNanos  how long the current ejection lasts in total (0 when not ejected)
 * @param ejectedAtNanos   when the current/last ejection started
 * @param consecutive5xx   current run of 5xx
 * @param successRate      success rate (%) computed at the last interval, or NaN when below the request volume
 */
public record EjectionStatus(boolean ejected, EjectionReason reason, int ejectionMultiplier, long ejectedForNanos,
                             long ejectedAtNanos, int consecutive5xx, double successRate) {
}
