package io.sidecar.balancer.breaker;

/**
 * Calls of the last {@code seconds} seconds (Resilience4j {@code SlidingTimeWindowMetrics}): one bucket per second
 * of the injected clock; buckets older than the window are dropped when the window moves.
 */
final class TimeSlidingWindow implements SlidingWindow {

    private static final long SECOND = 1_000_000_000L;

    private final long[] epoch;
    private final long[] total;
    private final long[] failed;
    private final long[] slow;

    TimeSlidingWindow(int seconds) {
        epoch = new long[seconds];
        total = new long[seconds];
        failed = new long[seconds];
        slow = new long[seconds];
        java.util.Arrays.fill(epoch, Long.MIN_VALUE);
    }

    private int bucket(long second) {
        int i = (int) Math.floorMod(second, (long) epoch.length);
        if (epoch[i] != second) {
            epoch[i] = second;
            total[i] = 0;
            failed[i] = 0;
            slow[i] = 0;
        }
        return i;
    }

    @Override
    public WindowSnapshot record(boolean isFailed, boolean isSlow, long nowNanos) {
        int i = bucket(Math.floorDiv(nowNanos, SECOND));
        total[i]++;
        if (isFailed) {
            failed[i]++;
        }
        if (isSlow) {
            slow[i]++;
        }
        return snapshot(nowNanos);
    }

    @Override
    public WindowSnapshot snapshot(long nowNanos) {
        long now = Math.floorDiv(nowNanos, SECOND);
        long t = 0;
        long f = 0;
        long s = 0;
        for (int i = 0; i < epoch.length; i++) {
            if (epoch[i] != Long.MIN_VALUE && epoch[i] > now - epoch.length && epoch[i] <= now) {
                t += total[i];
                f += failed[i];
                s += slow[i];
            }
        }
        return new WindowSnapshot(t, f, s);
    }
}
