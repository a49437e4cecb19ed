package io.sidecar.balancer.breaker;

/** Call outcomes over a sliding window (Resilience4j {@code Metrics}). Not thread-safe: the breaker locks. */
interface SlidingWindow {

    WindowSnapshot record(boolean failed, boolean slow, long nowNanos);

    WindowSnapshot snapshot(long nowNanos);
}
