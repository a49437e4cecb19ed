package io.sidecar.balancer.breaker;

/** Aggregate of a sliding window: calls, failed calls, slow calls (successful or not). */
public record WindowSnapshot(long totalCalls, long failedCalls, long slowCalls) {

    public static final WindowSnapshot EMPTY = new WindowSnapshot(0, 0, 0);

    /** Failure rate in percent, or -1 below {@code minimumCalls} (Resilience4j). */
    public float failureRate(int minimumCalls) {
        return totalCalls == 0 || totalCalls < minimumCalls ? -1f : failedCalls * 100.0f / totalCalls;
    }

    /** Slow-call rate in percent, or -1 below {@code minimumCalls}. */
    public float slowCallRate(int minimumCalls) {
        return totalCalls == 0 || totalCalls < minimumCalls ? -1f : slowCalls * 100.0f / totalCalls;
    }
}
