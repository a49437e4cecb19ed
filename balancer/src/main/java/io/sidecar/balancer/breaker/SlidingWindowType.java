package io.sidecar.balancer.breaker;

/** Resilience4j's sliding window types. */
public enum SlidingWindowType {
    /** The last N calls. */
    COUNT_BASED,
    /** The calls of the last N seconds (one bucket per second). */
    TIME_BASED
}
