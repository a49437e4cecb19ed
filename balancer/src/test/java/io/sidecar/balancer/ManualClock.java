package io.sidecar.balancer;

import java.util.function.LongSupplier;

/** Virtual nano clock for tests. */
public final class ManualClock implements LongSupplier {

    private long now;

    public ManualClock() {
        this(1_000_000_000L);
    }

    public ManualClock(long start) {
        this.now = start;
    }

    @Override
    public long getAsLong() {
        return now;
    }

    public void advanceMillis(long ms) {
        now += ms * 1_000_000L;
    }

    public void advanceNanos(long nanos) {
        now += nanos;
    }
}
