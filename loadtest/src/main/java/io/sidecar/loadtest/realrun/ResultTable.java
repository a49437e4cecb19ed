package io.sidecar.loadtest.realrun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Formats results in the balancer simulator's table (balancer/README.md, section Simulator): strategy, p50, p90,
 * p99, p99.9 ms, success %, failed, requests per endpoint (the slow endpoint first, as in the simulator's scenario
 * 2), then the success timeline per window and what the client measured about itself.
 */
public final class ResultTable {
  private ResultTable() {}

  public static String format(List<StrategyResult> results) {
    StringBuilder out = new StringBuilder();
    out.append("| strategy                   |   p50 ms |   p90 ms |   p99 ms | p99.9 ms | success % |  failed | requests per endpoint |\n");
    out.append("|----------------------------|---------:|---------:|---------:|---------:|----------:|--------:|---|\n");
    for (StrategyResult r : results) {
      LoadSummary l = r.load();
      out.append(String.format(Locale.ROOT, "| %-26s | %8.1f | %8.1f | %8.1f | %8.1f | %9.3f | %7d | %s |%n",
          r.strategy(), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.p999Ms(), l.successPercent(), l.failed(),
          slowFirst(r.requestsPerEndpoint(), r.slowEndpoint())));
    }
    if (!results.isEmpty()) {
      out.append(String.format(Locale.ROOT, "%nsuccess %% per %.0f s window:%n", results.get(0).load().windowSeconds()));
      for (StrategyResult r : results) {
        out.append(String.format(Locale.ROOT, "  %-26s %s%n", r.strategy(), r.load().windowSuccessPercent().stream()
            .map(p -> String.format(Locale.ROOT, "%.1f", p)).collect(Collectors.joining(", ", "[", "]"))));
      }
      out.append("\nfailures per endpoint as the sidecar counts them (same order):\n");
      for (StrategyResult r : results) {
        out.append(String.format(Locale.ROOT, "  %-26s %s%n", r.strategy(),
            slowFirst(r.sidecarFailuresPerEndpoint(), r.slowEndpoint())));
      }
      out.append("\nclient side (offered rate, rate actually sent, generator lateness, failures by kind, toxic on/off, load average 1/5/15 min before → after):\n");
      for (StrategyResult r : results) {
        LoadSummary l = r.load();
        out.append(String.format(Locale.ROOT,
            "  %-26s offered %.0f/s, sent %.1f/s, %d requests, send lag p99 %.1f ms max %.1f ms, failures %s,"
                + " +%d ms toxic on %.1f s → off %.1f s, load %s → %s%n",
            r.strategy(), r.offeredRate(), l.achievedRate(), l.requests(), l.sendLagP99Ms(), l.sendLagMaxMs(),
            l.failureKinds().isEmpty() ? "none" : l.failureKinds(), r.toxicLatencyMs(), r.toxicAddedAtSeconds(),
            r.toxicRemovedAtSeconds(), r.loadAverageBefore(), r.loadAverageAfter()));
      }
    }
    return out.toString();
  }

  /** The counts as a list, the slow endpoint's first and the others in the sidecar's endpoint order. */
  static List<Long> slowFirst(Map<String, Long> perEndpoint, String slowEndpoint) {
    List<Long> counts = new ArrayList<>();
    if (perEndpoint.containsKey(slowEndpoint)) counts.add(perEndpoint.get(slowEndpoint));
    perEndpoint.forEach((address, n) -> {
      if (!address.equals(slowEndpoint)) counts.add(n);
    });
    return counts;
  }
}
