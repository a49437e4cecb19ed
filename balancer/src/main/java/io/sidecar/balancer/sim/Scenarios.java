package io.sidecar.balancer.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The five scenarios of issue #3. Parameters were fixed before any result was seen: every endpoint serves with
 * lognormal service times (sigma 0.3) from a few workers and a FIFO queue, so load matters; the client times out
 * at 1 s; no retries, no outlier ejection, no breaker: the strategies alone are compared.
 */
public final class Scenarios {

    private static final long S = 1_000_000_000L;
    private static final double MS = 1e6;

    private Scenarios() {
    }

    private static String addr(int i) {
        return "10.0.0." + (i + 1) + ":8080";
    }

    /** 1. Stable heterogeneous: 4 endpoints (4 workers each), one 2× slower (40 vs 20 ms); 60 % of capacity. */
    public static Scenario stableHeterogeneous(long durationNanos) {
        List<Scenario.EndpointSpec> eps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            eps.add(new Scenario.EndpointSpec(addr(i), 4, EndpointBehaviour.constant(i == 3 ? 40 : 20)));
        }
        double capacity = 3 * 4 / 0.020 + 4 / 0.040;
        return new Scenario("1", "stable heterogeneous: 4 endpoints, one 2x slower, 60% of capacity (420 rps)",
                eps, t -> 0.6 * capacity, durationNanos, S);
    }

    /**
     * 2. Slow instance (Linkerd "Beyond Round Robin"): 11 endpoints at ~20 ms (4 workers each); endpoint 1 serves in
     * 2 s during the middle half of the run (30 s of 60 s); 1000 rps; 1 s timeout.
     */
    public static Scenario slowInstance(long durationNanos) {
        List<Scenario.EndpointSpec> eps = new ArrayList<>();
        long from = durationNanos / 4;
        long to = durationNanos * 3 / 4;
        for (int i = 0; i < 11; i++) {
            EndpointBehaviour b = i == 0
                    ? now -> now >= from && now < to ? 2000 * MS : 20 * MS
                    : EndpointBehaviour.constant(20);
            eps.add(new Scenario.EndpointSpec(addr(i), 4, b));
        }
        return new Scenario("2", "slow instance: 11 endpoints ~20 ms, one at 2 s for the middle 30 s of 60 s, "
                + "1000 rps, 1 s timeout", eps, t -> 1000, durationNanos, S);
    }

    /** 3. Degrading instance: 6 endpoints at 20 ms; endpoint 1's latency grows linearly to 520 ms (a leak); 720 rps. */
    public static Scenario degrading(long durationNanos) {
        List<Scenario.EndpointSpec> eps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            EndpointBehaviour b = i == 0
                    ? now -> (20 + 500.0 * now / durationNanos) * MS
                    : EndpointBehaviour.constant(20);
            eps.add(new Scenario.EndpointSpec(addr(i), 4, b));
        }
        return new Scenario("3", "degrading instance: 6 endpoints at 20 ms, one grows linearly to 520 ms, 720 rps "
                + "(60% of initial capacity)", eps, t -> 720, durationNanos, S);
    }

    /** 4. Flapping: 6 endpoints at 20 ms; endpoint 1 alternates healthy / 50 % fast 503 (2 ms) every 5 s; 600 rps. */
    public static Scenario flapping(long durationNanos) {
        List<Scenario.EndpointSpec> eps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            EndpointBehaviour b = i == 0 ? new EndpointBehaviour() {
                @Override
                public double medianServiceNanos(long now) {
                    return 20 * MS;
                }

                @Override
                public double failureProbability(long now) {
                    return (now / (5 * S)) % 2 == 1 ? 0.5 : 0.0;
                }
            } : EndpointBehaviour.constant(20);
            eps.add(new Scenario.EndpointSpec(addr(i), 4, b));
        }
        return new Scenario("4", "flapping: 6 endpoints at 20 ms, one alternates healthy / 50% fast 503 every 5 s, "
                + "600 rps", eps, t -> 600, durationNanos, S);
    }

    /**
     * 5. Load ramp: 6 queueing endpoints at 20 ms with 2, 2, 4, 4, 8, 8 workers (capacity 1400 rps); the offered
     * load ramps linearly from 0.7x to 1.3x capacity.
     */
    public static Scenario loadRamp(long durationNanos) {
        int[] workers = {2, 2, 4, 4, 8, 8};
        List<Scenario.EndpointSpec> eps = new ArrayList<>();
        double capacity = 0;
        for (int i = 0; i < workers.length; i++) {
            eps.add(new Scenario.EndpointSpec(addr(i), workers[i], EndpointBehaviour.constant(20)));
            capacity += workers[i] / 0.020;
        }
        double cap = capacity;
        return new Scenario("5", "load ramp: 6 queueing endpoints (2,2,4,4,8,8 workers, 20 ms; 1400 rps capacity), "
                + "load 0.7x -> 1.3x", eps, t -> cap * (0.7 + 0.6 * t / (double) durationNanos), durationNanos, S);
    }

    public static List<Scenario> all() {
        long d = 60 * S;
        return List.of(stableHeterogeneous(d), slowInstance(d), degrading(d), flapping(d), loadRamp(d));
    }
}
