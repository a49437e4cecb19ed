package io.sidecar.fault.experiment;

import io.sidecar.fault.parse.Durations;
import java.time.Duration;

/**
 * Ends an experiment when a live signal crosses a threshold, like AWS FIS stop conditions:
 * {@code error_rate_above: 5} (percent) or {@code p99_above: 300ms}, on {@code route}, over {@code window}.
 *
 * @param threshold percent (0..100) for {@link Metric#ERROR_RATE}, milliseconds for {@link Metric#P99_LATENCY}
 */
public record HaltCondition(Metric metric, String route, double threshold, Duration window) {

  public enum Metric { ERROR_RATE, P99_LATENCY }

  /** The observed value in the threshold's unit, or NaN. */
  public double observe(RouteSignals signals) {
    return switch (metric) {
      case ERROR_RATE -> signals.errorRate(route, window) * 100.0;
      case P99_LATENCY -> signals.p99Millis(route, window);
    };
  }

  /** True when the observed value is strictly above the threshold (NaN never breaches). */
  public boolean breached(double observed) {
    return !Double.isNaN(observed) && observed > threshold;
  }

  public String describe() {
    return switch (metric) {
      case ERROR_RATE -> "error rate of route " + route + " above " + threshold + "% over " + Durations.format(window);
      case P99_LATENCY -> "p99 of route " + route + " above " + threshold + "ms over " + Durations.format(window);
    };
  }
}
