package io.sidecar.balancer.load;

import java.util.Arrays;

/**
 * The last {@code capacity} latencies of an endpoint in a ring buffer, for percentiles (hedge delay at p95,
 * snapshot p50). Nearest-rank percentile over the buffer.
 */
public final class RecentLatencies {

    private final long[] ring;
    private int size;
    private int next;

    public RecentLatencies(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.ring = new long[capacity];
    }

    public void record(long latencyNanos) {
        ring[next] = latencyNanos;
        next = (next + 1) % ring.length;
        if (size < ring.length) {
            size++;
        }
    }

    public int size() {
        return size;
    }

    /** Nearest-rank percentile (q in (0,1]) or -1 when empty. */
    public long percentile(double q) {
        if (size == 0) {
            return -1;
        }
        long[] copy = Arrays.copyOf(ring, size);
        Arrays.sort(copy);
        int rank = (int) Math.ceil(q * size);
        return copy[Math.min(Math.max(rank, 1), size) - 1];
    }
}
