package io.sidecar.balancer.sim;

import io.sidecar.balancer.LoadHint;

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
        recent[recentNext] = serverNanos;
        recentNext = (recentNext + 1) % recent.length;
        recentCount = Math.min(recentCount + 1, recent.length);
        LoadHint hint = new LoadHint(busy + queue.size(), p50Millis());
        if (!queue.isEmpty()) {
            start(queue.poll());
        }
        request.onResponse().accept(status, hint);
    }

    private double p50Millis() {
        long[] copy = Arrays.copyOf(recent, recentCount);
        Arrays.sort(copy);
        return copy[(copy.length - 1) / 2] / 1e6;
    }
}
