package io.sidecar.balancer;

/** What a try is: the first try of a request, a retry, or a hedged (parallel) try. */
public enum CallKind {
    FIRST,
    RETRY,
    HEDGE
}
