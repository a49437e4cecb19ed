package io.sidecar.balancer;

import java.util.Objects;

/**
 * Result of one try: either an HTTP status from the upstream or a {@link FailureKind}.
 *
 * <p>Classification used everywhere in this module:
 * <ul>
 *   <li>{@link #isFailure()}: 5xx status or any failure kind except CANCELLED (what a breaker and the error rate count);</li>
 *   <li>{@link #isGatewayFailure()}: 502, 503, 504 or a local-origin failure (connect failure, reset, timeout,
 *       refused stream), Envoy's "consecutive gateway failure" definition;</li>
 *   <li>{@link #isCancelled()}: the proxy abandoned the try; no signal about the endpoint.</li>
 * </ul>
 */
public record Outcome(int status, FailureKind failure) {

    public static final Outcome OK = new Outcome(200, null);
    public static final Outcome CANCELLED = new Outcome(0, FailureKind.CANCELLED);

    public Outcome {
        if (failure == null && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be 100..599, was " + status);
        }
        if (failure != null && status != 0) {
            throw new IllegalArgumentException("a failure outcome has no status, was " + status);
        }
    }

    /**
     * The outcome of a response with {@code status}. A code outside 100..599 is no status at all; RFC 9110 §15 says
     * to process it as a 5xx, so it counts as a 500.
     */
    public static Outcome status(int status) {
        if (status == 200) return OK;
        return new Outcome(status < 100 || status > 599 ? 500 : status, null);
    }

    public static Outcome failure(FailureKind kind) {
        Objects.requireNonNull(kind, "kind");
        return kind == FailureKind.CANCELLED ? CANCELLED : new Outcome(0, kind);
    }

    public boolean hasStatus() {
        return failure == null;
    }

    public boolean isCancelled() {
        return failure == FailureKind.CANCELLED;
    }

    /** 5xx or a failure kind other than CANCELLED. */
    public boolean isFailure() {
        return failure != null ? failure != FailureKind.CANCELLED : status >= 500;
    }

    /** Envoy's gateway failure: 502/503/504 or a local-origin error. */
    public boolean isGatewayFailure() {
        if (failure != null) {
            return failure != FailureKind.CANCELLED;
        }
        return status == 502 || status == 503 || status == 504;
    }

    /** Envoy's "5xx" for outlier detection: a 5xx status or a local-origin error (split_external_local_origin_errors=false). */
    public boolean is5xxForOutlier() {
        return isFailure();
    }

    @Override
    public String toString() {
        return failure != null ? failure.name() : Integer.toString(status);
    }
}
