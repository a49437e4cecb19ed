package io.sidecar.balancer.sim;

import io.sidecar.balancer.BalancerConfig;
import io.sidecar.balancer.CallHandle;
import io.sidecar.balancer.CallKind;
import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.Pick;
import io.sidecar.balancer.breaker.CircuitBreakerConfig;
import io.sidecar.balancer.hedge.HedgeConfig;
import io.sidecar.balancer.limit.AdaptiveConcurrencyConfig;
import io.sidecar.balancer.limit.LimitsConfig;
import io.sidecar.balancer.outlier.OutlierDetectionConfig;
import io.sidecar.balancer.strategy.StrategyName;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic discrete-event simulator of one client balancing over simulated upstreams, driving the real
 * {@link ClusterBalancer} (same strategies, same statistics) on virtual time with seeded randomness. Modelled on
 * Caffeine's simulator: the same trace (scenario + seed) replayed against each policy.
 *
 * <p>Per request: Poisson arrival → {@code pick()} → the endpoint's queue → response or client timeout →
 * {@code complete(latency, status | TIMEOUT, x-sidecar-load hint)}. Latency percentiles cover every request (a
 * timed-out request counts with the timeout, a shed one with 0); success = a 2xx answer within the timeout.
 * Variants: {@link Variant#ADAPTIVE_CONCURRENCY} turns on Envoy-style shedding; {@link Variant#PEER_SNAPSHOTS} has
 * every endpoint publish its {@code PeerLoad} each second ({@code observePeerLoad}); {@link Variant#HEDGE} sends a second
 * try to another endpoint after the first try's endpoint p95 ({@link HedgeConfig#atPercentile}), first response
 * wins, the loser is cancelled (its server still does the work), within the retry budget.
 *
 * <p>Run: {@code ./mvnw -q -pl balancer compile exec:java} (main class preset), or with
 * {@code -Dexec.args="--seed 7"}.
 */
public final class Simulator {

    public static final long DEFAULT_SEED = 42;

    /** What is switched on besides the strategy. */
    public enum Variant {
        PLAIN(""),
        ADAPTIVE_CONCURRENCY(" + AC"),
        HEDGE(" + hedge p95"),
        /** Every endpoint's own sidecar publishes a {@code PeerLoad} snapshot each second (issue #6). */
        PEER_SNAPSHOTS(" + peer 1 s");

        private final String suffix;

        Variant(String suffix) {
            this.suffix = suffix;
        }
    }

    private Simulator() {
    }

    /** The balancer config the simulator uses: only the strategy (and the variant) differ between runs. */
    static BalancerConfig config(StrategyName strategy, Variant variant) {
        return BalancerConfig.builder()
                .strategy(strategy)
                .adaptiveConcurrency(variant == Variant.ADAPTIVE_CONCURRENCY ? AdaptiveConcurrencyConfig.ENABLED_DEFAULTS
                        : AdaptiveConcurrencyConfig.DISABLED)
                .hedge(variant == Variant.HEDGE ? HedgeConfig.atPercentile(0.95) : HedgeConfig.DISABLED)
                .outlierDetection(OutlierDetectionConfig.DISABLED)
                .clusterBreaker(CircuitBreakerConfig.DISABLED)
                .limits(new LimitsConfig(1_000_000, 1_000_000, 1_000_000, 1_000_000))
                .build();
    }

    public static ScenarioResult run(Scenario scenario, StrategyName strategy, long seed) {
        return run(scenario, strategy, Variant.PLAIN, seed);
    }

    /** One request's progress: its tries, and whether it has been answered. */
    private static final class Request {
        final long startNanos;
        final int window;
        final List<CallHandle> tries = new ArrayList<>(2);
        boolean finished;

        Request(long startNanos, int window) {
            this.startNanos = startNanos;
            this.window = window;
        }
    }

    public static ScenarioResult run(Scenario scenario, StrategyName strategy, Variant variant, long seed) {
        return run(scenario, strategy, variant, seed, null);
    }

    /** Sees every finished request (for diagnosis): arrival time, the endpoint that answered (or the first try's
     * endpoint on timeout), latency and success. */
    interface RequestObserver {
        void finished(long arrivalNanos, String address, long latencyNanos, boolean ok);
    }

    static ScenarioResult run(Scenario scenario, StrategyName strategy, Variant variant, long seed,
                              java.util.function.ObjLongConsumer<ClusterBalancer> everySecond) {
        return run(scenario, strategy, variant, seed, everySecond, null);
    }

    /** {@code everySecond}, when given, sees the cluster once per simulated second (for explanation / debugging). */
    static ScenarioResult run(Scenario scenario, StrategyName strategy, Variant variant, long seed,
                              java.util.function.ObjLongConsumer<ClusterBalancer> everySecond,
                              RequestObserver observer) {
        VirtualClock clock = new VirtualClock();
        EventLoop loop = new EventLoop(clock);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom arrivals = root.split();
        SplittableRandom balancerRandom = root.split();
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, SimulatedEndpoint> byAddress = new LinkedHashMap<>();
        Map<String, Long> perEndpoint = new LinkedHashMap<>();
        Map<String, Long> okPerEndpoint = new LinkedHashMap<>();
        for (Scenario.EndpointSpec spec : scenario.endpoints()) {
            byAddress.put(spec.address(), new SimulatedEndpoint(spec.address(), spec.concurrency(), spec.behaviour(),
                    loop, clock, root.split()));
            perEndpoint.put(spec.address(), 0L);
            okPerEndpoint.put(spec.address(), 0L);
            endpoints.add(Endpoint.of(spec.address()));
        }
        ClusterBalancer cluster = new ClusterBalancer("sim", config(strategy, variant), endpoints, clock,
                balancerRandom);
        Histogram latencies = new Histogram(3_600_000_000L, 3);
        long[] counts = new long[2];
        int windows = 12;
        long windowNanos = Math.max(1, scenario.durationNanos() / windows);
        long[] windowTotal = new long[windows];
        long[] windowOk = new long[windows];
        long timeout = scenario.timeoutNanos();

        // sends one try of a request; the first answer of any try finishes the request, the other try is cancelled
        class Sender {
            void send(Request r, CallHandle h) {
                r.tries.add(h);
                perEndpoint.merge(h.address(), 1L, Long::sum);
                long sentAt = clock.getAsLong();
                byAddress.get(h.address()).receive(new SimulatedEndpoint.Request((status, hint) -> {
                    if (r.finished || h.isDone()) {
                        return;
                    }
                    h.complete(clock.getAsLong() - sentAt, Outcome.status(status), hint);
                    r.finished = true;
                    long latency = clock.getAsLong() - r.startNanos;
                    latencies.recordValue(Math.max(0, latency / 1000));
                    if (observer != null) {
                        observer.finished(r.startNanos, h.address(), latency, status < 500);
                    }
                    if (status < 500) {
                        counts[1]++;
                        windowOk[r.window]++;
                        okPerEndpoint.merge(h.address(), 1L, Long::sum);
                    }
                    for (CallHandle other : r.tries) {
                        other.cancel();
                    }
                }));
            }
        }
        Sender sender = new Sender();

        Runnable[] arrival = new Runnable[1];
        arrival[0] = () -> {
            long now = clock.getAsLong();
            counts[0]++;
            int w = (int) Math.min(windows - 1, now / windowNanos);
            windowTotal[w]++;
            Pick pick = cluster.pick(Set.of(), CallKind.FIRST, timeout);
            if (!pick.isAccepted()) {
                latencies.recordValue(0);
            } else {
                Request r = new Request(now, w);
                CallHandle first = pick.handle();
                sender.send(r, first);
                OptionalLong hedgeDelay = cluster.hedgeDelayNanos(first, "GET", false);
                if (hedgeDelay.isPresent() && hedgeDelay.getAsLong() < timeout) {
                    loop.at(now + hedgeDelay.getAsLong(), () -> {
                        if (!r.finished) {
                            Pick second = cluster.pick(Set.of(first.address()), CallKind.HEDGE,
                                    timeout - (clock.getAsLong() - now));
                            if (second.isAccepted()) {
                                sender.send(r, second.handle());
                            }
                        }
                    });
                }
                loop.at(now + timeout, () -> {
                    if (!r.finished) {
                        r.finished = true;
                        latencies.recordValue(timeout / 1000);
                        if (observer != null) {
                            observer.finished(now, r.tries.get(0).address(), timeout, false);
                        }
                        for (CallHandle h : r.tries) {
                            h.complete(clock.getAsLong() - h.startNanos(), Outcome.failure(FailureKind.TIMEOUT), null);
                        }
                    }
                });
            }
            double rate = scenario.ratePerSecond().applyAsDouble(now);
            long gap = (long) (-Math.log(1.0 - arrivals.nextDouble()) / rate * 1e9);
            if (now + gap < scenario.durationNanos()) {
                loop.at(now + gap, arrival[0]);
            }
        };
        loop.at(0, arrival[0]);
        if (variant == Variant.PEER_SNAPSHOTS) {
            for (long t = 0; t < scenario.durationNanos(); t += 1_000_000_000L) {
                loop.at(t, () -> byAddress.forEach((address, ep) -> cluster.observePeerLoad(address, ep.peerSnapshot())));
            }
        }
        if (everySecond != null) {
            for (long t = 1_000_000_000L; t <= scenario.durationNanos(); t += 1_000_000_000L) {
                long at = t;
                loop.at(at, () -> everySecond.accept(cluster, at));
            }
        }
        loop.runUntil(scenario.durationNanos() + 2 * timeout);
        List<Double> timeline = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            timeline.add(windowTotal[i] == 0 ? Double.NaN : Math.round(1000.0 * windowOk[i] / windowTotal[i]) / 10.0);
        }
        return ScenarioResult.of(scenario.id(), strategy.id() + variant.suffix, latencies, counts[0], counts[1],
                perEndpoint, okPerEndpoint, timeline);
    }

    static String table(Scenario scenario, List<ScenarioResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("Scenario ").append(scenario.id()).append(": ").append(scenario.title()).append('\n');
        sb.append(String.format(Locale.ROOT, "| %-26s | %8s | %8s | %8s | %8s | %9s | %7s | %s |%n", "strategy",
                "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "success %", "failed", "requests per endpoint"));
        sb.append("|----------------------------|---------:|---------:|---------:|---------:|----------:|--------:|---|\n");
        for (ScenarioResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %-26s | %8.1f | %8.1f | %8.1f | %8.1f | %9.3f | %7d | %s |%n",
                    r.strategy(), r.p50(), r.p90(), r.p99(), r.p999(), r.successPercent(), r.failed(),
                    r.perEndpoint().values()));
        }
        return sb.toString();
    }

    /** The targets for predictive against p2c_peak_ewma, with the measured ratios. */
    static String targets(Scenario scenario, ScenarioResult predictive, ScenarioResult p2c) {
        return switch (scenario.id()) {
            case "1" -> verdict("p99 within 1.05x", predictive.p99() / p2c.p99(), 1.05);
            case "2" -> verdict("success >= 99.9%", predictive.successPercent(), 99.9, true) + "; "
                    + verdict("p99.9 <= 0.8x", predictive.p999() / p2c.p999(), 0.8);
            case "3", "5" -> verdict("p99 <= 0.8x", predictive.p99() / p2c.p99(), 0.8);
            case "4" -> verdict("failed <= 0.5x", p2c.failed() == 0 ? Double.NaN
                    : (double) predictive.failed() / p2c.failed(), 0.5);
            default -> "";
        };
    }

    private static String verdict(String what, double value, double bound) {
        return verdict(what, value, bound, false);
    }

    private static String verdict(String what, double value, double bound, boolean atLeast) {
        boolean met = atLeast ? value >= bound : value <= bound;
        return String.format(Locale.ROOT, "target %s: %.3f -> %s", what, value, met ? "MET" : "NOT MET");
    }

    public static void main(String[] args) {
        long seed = DEFAULT_SEED;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--seed")) {
                seed = Long.parseLong(args[i + 1]);
            }
        }
        System.out.println("seed " + seed);
        for (Scenario scenario : Scenarios.all()) {
            List<ScenarioResult> results = new ArrayList<>();
            for (StrategyName s : StrategyName.values()) {
                results.add(run(scenario, s, seed));
            }
            // what the other features add, for the two strategies the targets compare
            for (StrategyName s : List.of(StrategyName.P2C_PEAK_EWMA, StrategyName.PREDICTIVE)) {
                results.add(run(scenario, s, Variant.HEDGE, seed));
            }
            if (scenario.id().equals("2")) {
                results.add(run(scenario, StrategyName.PREDICTIVE, Variant.PEER_SNAPSHOTS, seed));
            }
            if (scenario.id().equals("5")) {
                for (StrategyName s : List.of(StrategyName.P2C_PEAK_EWMA, StrategyName.PREDICTIVE)) {
                    results.add(run(scenario, s, Variant.ADAPTIVE_CONCURRENCY, seed));
                }
            }
            System.out.println(table(scenario, results));
            System.out.println("success % per 5 s window:");
            for (ScenarioResult r : results) {
                System.out.printf(Locale.ROOT, "  %-26s %s%n", r.strategy(), r.successTimeline());
            }
            ScenarioResult predictive = results.stream().filter(r -> r.strategy().equals("predictive")).findFirst().orElseThrow();
            ScenarioResult p2c = results.stream().filter(r -> r.strategy().equals("p2c_peak_ewma")).findFirst().orElseThrow();
            System.out.println(targets(scenario, predictive, p2c));
            System.out.println();
        }
    }
}
