package io.sidecar.balancer.sim;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * Outcome of one scenario run with one strategy. Latencies in milliseconds; {@code successTimeline}: success % in
 * each twelfth of the run (by arrival time).
 */
public record ScenarioResult(String scenario, String strategy, long requests, long succeeded, double p50, double p90,
                             double p99, double p999, Map<String, Long> perEndpoint,
                             Map<String, Long> succeededPerEndpoint, List<Double> successTimeline) {

    static ScenarioResult of(String scenario, String strategy, Histogram h, long requests, long succeeded,
                             Map<String, Long> perEndpoint, Map<String, Long> succeededPerEndpoint,
                             List<Double> successTimeline) {
        return new ScenarioResult(scenario, strategy, requests, succeeded, ms(h, 50), ms(h, 90), ms(h, 99),
                ms(h, 99.9), perEndpoint, succeededPerEndpoint, successTimeline);
    }

    private static double ms(Histogram h, double p) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p) / 1000.0;
    }

    public long failed() {
        return requests - succeeded;
    }

    public double successPercent() {
        return requests == 0 ? Double.NaN : 100.0 * succeeded / requests;
    }
}
