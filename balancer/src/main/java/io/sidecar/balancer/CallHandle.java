package io.sidecar.balancer;

import io.sidecar.balancer.breaker.CircuitBreaker;
import io.sidecar.balancer.load.EndpointState;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One started try on one endpoint, returned by {@link ClusterBalancer#pick}. It is counted in flight from the pick
 * until it is completed. Complete it exactly once, whatever happens (response, failure, timeout, hedge lost,
 * downstream gone); further completions are ignored and return false. Thread-safe.
 */
public final class CallHandle {

    private final ClusterBalancer cluster;
    private final EndpointState endpoint;
    private final CircuitBreaker endpointBreaker;
    private final CallKind kind;
    private final long startNanos;
    private final int levelAtSend;
    /** 1 once completed; a field updater rather than an AtomicBoolean: no second object per try. */
    private static final AtomicIntegerFieldUpdater<CallHandle> DONE =
            AtomicIntegerFieldUpdater.newUpdater(CallHandle.class, "done");
    private volatile int done;

    CallHandle(ClusterBalancer cluster, EndpointState endpoint, CircuitBreaker endpointBreaker, CallKind kind,
               long startNanos, int levelAtSend) {
        this.cluster = cluster;
        this.endpoint = endpoint;
        this.endpointBreaker = endpointBreaker;
        this.kind = kind;
        this.startNanos = startNanos;
        this.levelAtSend = levelAtSend;
    }

    /** {@code host:port} to connect to. */
    public String address() {
        return endpoint.address();
    }

    public CallKind kind() {
        return kind;
    }

    public long startNanos() {
        return startNanos;
    }

    public boolean isDone() {
        return done == 1;
    }

    EndpointState endpointState() {
        return endpoint;
    }

    CircuitBreaker endpointBreaker() {
        return endpointBreaker;
    }

    int levelAtSend() {
        return levelAtSend;
    }

    /** Completes with the latency measured by the balancer's clock since the pick. */
    public boolean complete(Outcome outcome) {
        return complete(outcome, LoadHint.NONE);
    }

    /** Completes with the latency measured by the balancer's clock since the pick, and the upstream's load hint. */
    public boolean complete(Outcome outcome, LoadHint hint) {
        return complete(-1, outcome, hint);
    }

    /**
     * Completes the try.
     *
     * @param latencyNanos time to the response headers (or to the failure); negative: measured by the balancer clock
     * @param outcome      status or failure kind; {@link Outcome#CANCELLED} for an abandoned try (hedge loser)
     * @param hint         parsed {@code x-sidecar-load} header or {@link LoadHint#NONE}
     * @return false when the handle had already been completed (nothing recorded)
     */
    public boolean complete(long latencyNanos, Outcome outcome, LoadHint hint) {
        if (!DONE.compareAndSet(this, 0, 1)) {
            return false;
        }
        cluster.onComplete(this, latencyNanos, outcome, hint == null ? LoadHint.NONE : hint);
        return true;
    }

    /** Abandons the try (hedge loser, downstream gone): releases counters, records nothing about the endpoint. */
    public boolean cancel() {
        return complete(-1, Outcome.CANCELLED, LoadHint.NONE);
    }

    @Override
    public String toString() {
        return "CallHandle[" + endpoint.address() + ", " + kind + "]";
    }
}
