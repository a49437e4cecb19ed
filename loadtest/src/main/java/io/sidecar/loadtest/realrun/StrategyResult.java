package io.sidecar.loadtest.realrun;

import java.util.Map;

/**
 * One strategy's run, as written to the results file (one JSON object per line) and read back by the report.
 * {@code requestsPerEndpoint} and {@code sidecarFailuresPerEndpoint} are the sidecar's own counts
 * ({@code GET /clusters/{name}}, after minus before);
 * the toxic times are seconds after the start of the measured run, when the control API had answered.
 */
public record StrategyResult(
    String strategy,
    String startedAt,
    double offeredRate,
    double durationSeconds,
    double warmupSeconds,
    String slowEndpoint,
    long toxicLatencyMs,
    double toxicAddedAtSeconds,
    double toxicRemovedAtSeconds,
    LoadSummary load,
    Map<String, Long> requestsPerEndpoint,
    Map<String, Long> sidecarFailuresPerEndpoint,
    String loadAverageBefore,
    String loadAverageAfter) {}
