package io.sidecar.balancer.sim;

import io.sidecar.balancer.strategy.StrategyName;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Diagnosis, not a test: where a strategy's tail comes from in one scenario. Per endpoint: requests, latency
 * percentiles of the requests it answered, how many took longer than a threshold; and those slow requests per 5 s
 * window. {@code -Dfails} lists every failed request; {@code -Dvariant=PEER_SNAPSHOTS} (or HEDGE, ...) a variant.
 * <pre>
 *   ./mvnw -q -pl balancer test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp balancer/target/classes:balancer/target/test-classes:$(cat /tmp/cp.txt) \
 *       io.sidecar.balancer.sim.TailDiagnosis 3 42 40 p2c_peak_ewma predictive   # scenario seed thresholdMs strategies
 * </pre>
 */
public final class TailDiagnosis {

    private TailDiagnosis() {
    }

    public static void main(String[] args) {
        String id = args[0];
        long seed = Long.parseLong(args[1]);
        double thresholdMs = Double.parseDouble(args[2]);
        Scenario sc = Scenarios.all().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
        for (int i = 3; i < args.length; i++) {
            StrategyName st = StrategyName.parse(args[i]);
            Map<String, Histogram> per = new TreeMap<>();
            Map<String, long[]> over = new TreeMap<>();
            long[] overByWindow = new long[12];
            Histogram all = new Histogram(3_600_000_000L, 3);
            ScenarioResult r = Simulator.run(sc, st, Simulator.Variant.valueOf(System.getProperty("variant", "PLAIN")), seed, null,
                    (arrival, address, latency, ok) -> {
                        per.computeIfAbsent(address, a -> new Histogram(3_600_000_000L, 3)).recordValue(latency / 1000);
                        all.recordValue(latency / 1000);
                        if (!ok && System.getProperty("fails") != null) {
                            System.out.printf(Locale.ROOT, "    fail at %.3f s on %s after %.1f ms%n", arrival / 1e9, address, latency / 1e6);
                        }
                        if (latency / 1e6 > thresholdMs) {
                            over.computeIfAbsent(address, a -> new long[1])[0]++;
                            overByWindow[(int) Math.min(11, arrival / 5_000_000_000L)]++;
                        }
                    });
            System.out.printf(Locale.ROOT, "%s: p99 %.1f p99.9 %.1f success %.3f failed %d%n", st.id(), r.p99(), r.p999(),
                    r.successPercent(), r.failed());
            per.forEach((a, h) -> System.out.printf(Locale.ROOT, "  %s n=%d p50=%.1f p99=%.1f p99.9=%.1f max=%.1f over=%d%n", a,
                    h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, over.getOrDefault(a, new long[1])[0]));
            System.out.println("  over " + thresholdMs + " ms per 5 s window: " + java.util.Arrays.toString(overByWindow));
        }
    }
}
