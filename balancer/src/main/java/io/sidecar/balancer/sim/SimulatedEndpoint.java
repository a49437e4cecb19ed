package io.sidecar.balancer.sim;

import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.PeerLoad;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * A simulated upstream: {@code concurrency} workers and a FIFO queue; service times are lognormal around the
 * behaviour's median (sigma {@value #SIGMA}); a failing request answers 503 after a short service time. Its responses
 * carry the load hint our serving-side sidecar would add (requests in flight, p50 of its last 64 server-side
 * latencies, queueing included).
 * A request keeps its worker busy even after the client timed out (the server does not know).
 * {@link #peerSnapshot} is what its sidecar would publish about it (issue #6); taking one changes nothing.
 */
final class SimulatedEndpoint {

    static final double SIGMA = 0.3;

    /** A request to serve; {@code onResponse} receives (status, hint). */
    record Request(BiConsumer<Integer, LoadHint> onResponse) {
    }

    private final String address;
    private final int concurrency;
    private final EndpointBehaviour behaviour;
    private final EventLoop loop;
    private final VirtualClock clock;
    private final SplittableRandom random;
    private record Queued(Request request, long arrivedNanos) {
    }

    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final long[] recent = new long[64];
    private int recentCount;
    private int recentNext;
    private int busy;
    /** Completions of the last {@link #PEER_WINDOW_NANOS}: finish time, server-side latency, failed. */
    private record Completion(long atNanos, long serverNanos, boolean failed) {
    }

    static final long PEER_WINDOW_NANOS = 10_000_000_000L;
    private final ArrayDeque<Completion> lastTenSeconds = new ArrayDeque<>();

    SimulatedEndpoint(String address, int concurrency, EndpointBehaviour behaviour, EventLoop loop,
                      VirtualClock clock, SplittableRandom random) {
        this.address = address;
        this.concurrency = concurrency;
        this.behaviour = behaviour;
        this.loop = loop;
        this.clock = clock;
        this.random = random;
    }

    String address() {
        return address;
    }

    void receive(Request request) {
        Queued q = new Queued(request, clock.getAsLong());
        if (busy < concurrency) {
            start(q);
        } else {
            queue.add(q);
        }
    }

    private double lognormal(double median) {
        return median * Math.exp(SIGMA * random.nextGaussian());
    }

    private void start(Queued q) {
        busy++;
        long now = clock.getAsLong();
        boolean fails = random.nextDouble() < behaviour.failureProbability(now);
        long service = (long) (fails ? lognormal(behaviour.medianFailureNanos(now))
                : lognormal(behaviour.medianServiceNanos(now)));
        loop.at(now + service, () -> finish(q.request(), fails ? 503 : 200, clock.getAsLong() - q.arrivedNanos()));
    }

    /** serverNanos: queue wait + service, what a serving-side sidecar measures. */
    private void finish(Request request, int status, long serverNanos) {
        busy--;
        lastTenSeconds.add(new Completion(clock.getAsLong(), serverNanos, status >= 500));
        recent[recentNext] = serverNanos;
        recentNext = (recentNext + 1) % recent.length;
        recentCount = Math.min(recentCount + 1, recent.length);
        LoadHint hint = new LoadHint(busy + queue.size(), p50Millis());
        if (!queue.isEmpty()) {
            start(queue.poll());
        }
        request.onResponse().accept(status, hint);
    }

    /**
     * The snapshot its own sidecar would publish now: requests in flight (queued included), p50 / p99 of the
     * server-side latencies and the error ratio over the last 10 s (NaN without completions), busy workers as cpu.
     */
    PeerLoad peerSnapshot() {
        long now = clock.getAsLong();
        while (!lastTenSeconds.isEmpty() && lastTenSeconds.peekFirst().atNanos() <= now - PEER_WINDOW_NANOS) {
            lastTenSeconds.pollFirst();
        }
        int n = lastTenSeconds.size();
        long[] latencies = new long[n];
        int failed = 0;
        int i = 0;
        for (Completion c : lastTenSeconds) {
            latencies[i++] = c.serverNanos();
            failed += c.failed() ? 1 : 0;
        }
        Arrays.sort(latencies);
        double p50 = n == 0 ? Double.NaN : latencies[(n - 1) / 2] / 1e6;
        double p99 = n == 0 ? Double.NaN : latencies[(int) Math.ceil(0.99 * n) - 1] / 1e6;
        return new PeerLoad(busy + queue.size(), p50, p99, n == 0 ? Double.NaN : (double) failed / n,
                (double) busy / concurrency, now);
    }

    private double p50Millis() {
        long[] copy = Arrays.copyOf(recent, recentCount);
        Arrays.sort(copy);
        return copy[(copy.length - 1) / 2] / 1e6;
    }
}
