package io.sidecar.balancer.breaker;

/**
 * The last {@code size} calls in a ring (Resilience4j {@code FixedSizeSlidingWindowMetrics}): recording a call
 * evicts the oldest one and updates the running totals.
 */
final class CountSlidingWindow implements SlidingWindow {

    private final boolean[] failed;
    private final boolean[] slow;
    private int head;
    private int size;
    private long failedCalls;
    private long slowCalls;

    CountSlidingWindow(int size) {
        this.failed = new boolean[size];
        this.slow = new boolean[size];
    }

    @Override
    public WindowSnapshot record(boolean isFailed, boolean isSlow, long nowNanos) {
        if (size == failed.length) {
            if (failed[head]) {
                failedCalls--;
            }
            if (slow[head]) {
                slowCalls--;
            }
        } else {
            size++;
        }
        failed[head] = isFailed;
        slow[head] = isSlow;
        if (isFailed) {
            failedCalls++;
        }
        if (isSlow) {
            slowCalls++;
        }
        head = (head + 1) % failed.length;
        return snapshot(nowNanos);
    }

    @Override
    public WindowSnapshot snapshot(long nowNanos) {
        return new WindowSnapshot(size, failedCalls, slowCalls);
    }
}
