package io.sidecar.balancer.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counters for the Envoy thresholds the proxy's connection pool enforces (connections, requests waiting for a
 * connection). Requests and retries are counted by {@code ClusterBalancer} itself. Thread-safe.
 * Every successful {@code tryAcquire*} must be paired with one {@code release*}.
 */
public final class ResourceLimits {

    private final LimitsConfig config;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();

    public ResourceLimits(LimitsConfig config) {
        this.config = config;
    }

    public LimitsConfig config() {
        return config;
    }

    private static boolean tryAcquire(AtomicInteger counter, int max) {
        while (true) {
            int now = counter.get();
            if (now >= max) {
                return false;
            }
            if (counter.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A new upstream connection may be opened (false → 503 LO). */
    public boolean tryAcquireConnection() {
        return tryAcquire(connections, config.maxConnections());
    }

    public void releaseConnection() {
        connections.updateAndGet(v -> Math.max(0, v - 1));
    }

    /** A request may wait for a pooled connection (false → 503 LO). */
    public boolean tryAcquirePending() {
        return tryAcquire(pending, config.maxPendingRequests());
    }

    public void releasePending() {
        pending.updateAndGet(v -> Math.max(0, v - 1));
    }

    public int connections() {
        return connections.get();
    }

    public int pendingRequests() {
        return pending.get();
    }
}
