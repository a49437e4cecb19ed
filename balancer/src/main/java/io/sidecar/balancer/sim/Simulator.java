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
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic discrete-event simulator of one client balancing over simulated upstreams, driving the real
 * {@link ClusterBalancer} (same strategies, same statistics) on virtual time with seeded randomness. Modelled on
 * Caffeine's simulator: the same trace (scenario + seed) replayed against each policy.
 *
 * <p>Per request: Poisson arrival → {@code pick()} → the endpoint's queue → response or client timeout →
 * {@code complete(latency, status | TIMEOUT, x-sidecar-load hint)}. Latency percentiles cover every request (a
 * timed-out request counts with the timeout); success = a 2xx answer within the timeout.
 *
 * <p>Run: {@code ./mvnw -q -pl balancer exec:java} (main class preset) or with {@code -Dexec.args="--seed 7"}.
 */
public final class Simulator {

    public static final long DEFAULT_SEED = 42;

    private Simulator() {
    }

    /** The balancer config the simulator uses: only the strategy differs between runs. */
    static BalancerConfig config(StrategyName strategy) {
        return config(strategy, false);
    }

    /** With {@code adaptiveConcurrency}: Envoy's gradient controller (defaults) sheds above the limit (AC). */
    static BalancerConfig config(StrategyName strategy, boolean adaptiveConcurrency) {
        return BalancerConfig.builder()
                .strategy(strategy)
                .adaptiveConcurrency(adaptiveConcurrency ? AdaptiveConcurrencyConfig.ENABLED_DEFAULTS
                        : AdaptiveConcurrencyConfig.DISABLED)
                .outlierDetection(OutlierDetectionConfig.DISABLED)
                .clusterBreaker(CircuitBreakerConfig.DISABLED)
                .limits(new LimitsConfig(1_000_000, 1_000_000, 1_000_000, 1_000_000))
                .build();
    }

    public static ScenarioResult run(Scenario scenario, StrategyName strategy, long seed) {
        return run(scenario, strategy, false, seed);
    }

    public static ScenarioResult run(Scenario scenario, StrategyName strategy, boolean adaptiveConcurrency,
                                     long seed) {
        VirtualClock clock = new VirtualClock();
        EventLoop loop = new EventLoop(clock);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom arrivals = root.split();
        SplittableRandom balancerRandom = root.split();
        List<SimulatedEndpoint> servers = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, SimulatedEndpoint> byAddress = new LinkedHashMap<>();
        Map<String, Long> perEndpoint = new LinkedHashMap<>();
        Map<String, Long> okPerEndpoint = new LinkedHashMap<>();
        for (Scenario.EndpointSpec spec : scenario.endpoints()) {
            SimulatedEndpoint server = new SimulatedEndpoint(spec.address(), spec.concurrency(), spec.behaviour(),
                    loop, clock, root.split());
            servers.add(server);
            byAddress.put(spec.address(), server);
            perEndpoint.put(spec.address(), 0L);
            okPerEndpoint.put(spec.address(), 0L);
            endpoints.add(Endpoint.of(spec.address()));
        }
        ClusterBalancer cluster = new ClusterBalancer("sim", config(strategy, adaptiveConcurrency), endpoints, clock, balancerRandom);
        Histogram latencies = new Histogram(3_600_000_000L, 3);
        long[] counts = new long[2];
        int windows = 12;
        long windowNanos = Math.max(1, scenario.durationNanos() / windows);
        long[] windowTotal = new long[windows];
        long[] windowOk = new long[windows];
        long timeout = scenario.timeoutNanos();

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
                CallHandle h = pick.handle();
                perEndpoint.merge(h.address(), 1L, Long::sum);
                byAddress.get(h.address()).receive(new SimulatedEndpoint.Request((status, hint) -> {
                    long latency = clock.getAsLong() - now;
                    if (h.complete(latency, Outcome.status(status), hint)) {
                        latencies.recordValue(Math.max(0, latency / 1000));
                        if (status < 500) {
                            counts[1]++;
                            windowOk[w]++;
                            okPerEndpoint.merge(h.address(), 1L, Long::sum);
                        }
                    }
                }));
                loop.at(now + timeout, () -> {
                    if (h.complete(timeout, Outcome.failure(FailureKind.TIMEOUT), null)) {
                        latencies.recordValue(timeout / 1000);
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
        loop.runUntil(scenario.durationNanos() + 2 * timeout);
        List<Double> timeline = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            timeline.add(windowTotal[i] == 0 ? Double.NaN : Math.round(1000.0 * windowOk[i] / windowTotal[i]) / 10.0);
        }
        String name = strategy.id() + (adaptiveConcurrency ? " + AC" : "");
        return ScenarioResult.of(scenario.id(), name, latencies, counts[0], counts[1], perEndpoint,
                okPerEndpoint, timeline);
    }

    static String table(Scenario scenario, List<ScenarioResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("Scenario ").append(scenario.id()).append(": ").append(scenario.title()).append('\n');
        sb.append(String.format(Locale.ROOT, "| %-20s | %8s | %8s | %8s | %8s | %9s | %7s | %s |%n", "strategy",
                "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "success %", "failed", "requests per endpoint"));
        sb.append("|----------------------|---------:|---------:|---------:|---------:|----------:|--------:|---|\n");
        for (ScenarioResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %-20s | %8.1f | %8.1f | %8.1f | %8.1f | %9.3f | %7d | %s |%n",
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
            if (scenario.id().equals("5")) {
                // overload: also show what Envoy-style adaptive concurrency (shedding with 503 AC) adds
                results.add(run(scenario, StrategyName.P2C_PEAK_EWMA, true, seed));
                results.add(run(scenario, StrategyName.PREDICTIVE, true, seed));
            }
            System.out.println(table(scenario, results));
            System.out.println("success % per 5 s window:");
            for (ScenarioResult r : results) {
                System.out.printf(Locale.ROOT, "  %-20s %s%n", r.strategy(), r.successTimeline());
            }
            ScenarioResult predictive = results.stream().filter(r -> r.strategy().equals("predictive")).findFirst().orElseThrow();
            ScenarioResult p2c = results.stream().filter(r -> r.strategy().equals("p2c_peak_ewma")).findFirst().orElseThrow();
            System.out.println(targets(scenario, predictive, p2c));
            System.out.println();
        }
    }
}
