package io.sidecar.fault.experiment;

import java.time.Duration;

/**
 * Live signals for halt conditions, supplied by the lead from the predictor's windows. Both methods
 * return NaN when there is no data (a halt condition never fires on missing data).
 */
public interface RouteSignals {

  RouteSignals NONE = new RouteSignals() {
    @Override
    public double errorRate(String route, Duration window) {
      return Double.NaN;
    }

    @Override
    public double p99Millis(String route, Duration window) {
      return Double.NaN;
    }
  };

  /** Share of failed requests (0..1) on {@code route} over the last {@code window}. */
  double errorRate(String route, Duration window);

  /** 99th percentile latency in milliseconds on {@code route} over the last {@code window}. */
  double p99Millis(String route, Duration window);
}
