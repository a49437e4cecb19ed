package io.sidecar.balancer.sim;

import java.util.function.LongSupplier;

/** Simulated time in nanoseconds, advanced only by the event loop. */
public final class VirtualClock implements LongSupplier {

    private long nowNanos;

    @Override
    public long getAsLong() {
        return nowNanos;
    }

    void advanceTo(long nanos) {
        if (nanos < nowNanos) {
            throw new IllegalStateException("time went backwards: " + nanos + " < " + nowNanos);
        }
        nowNanos = nanos;
    }
}
