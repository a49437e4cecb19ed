package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

/**
 * Envoy's weighted scheduler ({@code source/common/upstream/edf_scheduler.h}): every endpoint has a deadline;
 * the pick is the smallest deadline (ties: the earlier-added entry), the clock advances to it and the endpoint is
 * re-added with {@code deadline = current_time + 1 / weight}, its weight read at that moment. Over time each
 * endpoint receives traffic in proportion to its weight, smoothly interleaved.
 *
 * <p>Unlike Envoy, which rebuilds the scheduler when the host set changes, this keeps deadlines per address and
 * chooses among whichever candidates are offered; an endpoint coming back after an absence has its deadline raised to
 * the current time so it does not receive a burst.
 */
final class EarliestDeadlineFirst {

    private record Entry(double deadline, long order) {
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private double currentTime;
    private long order;

    /** weight(endpoint, now) must be > 0. */
    EndpointState pick(List<EndpointState> candidates, long nowNanos, ToDoubleBiFunction<EndpointState, Long> weight) {
        EndpointState best = null;
        Entry bestEntry = null;
        for (EndpointState s : candidates) {
            Entry e = entries.get(s.address());
            if (e == null) {
                e = new Entry(currentTime + 1.0 / weight.applyAsDouble(s, nowNanos), order++);
                entries.put(s.address(), e);
            } else if (e.deadline < currentTime) {
                e = new Entry(currentTime, e.order);
                entries.put(s.address(), e);
            }
            if (bestEntry == null || e.deadline < bestEntry.deadline
                    || (e.deadline == bestEntry.deadline && e.order < bestEntry.order)) {
                best = s;
                bestEntry = e;
            }
        }
        currentTime = bestEntry.deadline;
        entries.put(best.address(), new Entry(currentTime + 1.0 / weight.applyAsDouble(best, nowNanos), order++));
        if (entries.size() > 4 * candidates.size() + 64) {
            entries.keySet().retainAll(candidates.stream().map(EndpointState::address).toList());
        }
        return best;
    }
}
