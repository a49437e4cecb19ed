package io.sidecar.balancer.sim;

import java.util.PriorityQueue;

/** Discrete-event loop: events run in time order (ties in scheduling order), advancing the virtual clock. */
final class EventLoop {

    private record Event(long atNanos, long seq, Runnable action) {
    }

    private final VirtualClock clock;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
            ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.seq, b.seq));
    private long seq;

    EventLoop(VirtualClock clock) {
        this.clock = clock;
    }

    void at(long atNanos, Runnable action) {
        queue.add(new Event(Math.max(atNanos, clock.getAsLong()), seq++, action));
    }

    /** Runs every event up to {@code endNanos} (events scheduled later stay unrun). */
    void runUntil(long endNanos) {
        while (!queue.isEmpty() && queue.peek().atNanos <= endNanos) {
            Event e = queue.poll();
            clock.advanceTo(e.atNanos);
            e.action.run();
        }
    }
}
