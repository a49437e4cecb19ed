package io.sidecar;

import io.sidecar.fault.experiment.RouteSignals;
import io.sidecar.predictor.Predictor;
import io.sidecar.predictor.signals.TrafficSnapshot;
import io.sidecar.predictor.signals.WindowStats;
import java.time.Duration;

/**
 * Halt conditions read the predictor's rolling windows of a route: the 10 s window for windows up to 10 s, the
 * 1 min window beyond. NaN when the route saw no request in it (a halt condition never fires on no data).
 */
final class PredictorRouteSignals implements RouteSignals {
  private final Predictor predictor;

  PredictorRouteSignals(Predictor predictor) {
    this.predictor = predictor;
  }

  private WindowStats window(String route, Duration window) {
    TrafficSnapshot s = predictor.signals().route(route).snapshot();
    return window.compareTo(Duration.ofSeconds(10)) <= 0 ? s.last10s() : s.last1m();
  }

  @Override
  public double errorRate(String route, Duration window) {
    WindowStats w = window(route, window);
    return w.requests() == 0 ? Double.NaN : w.errorRate();
  }

  @Override
  public double p99Millis(String route, Duration window) {
    WindowStats w = window(route, window);
    return w.requests() == 0 ? Double.NaN : w.p99Ms();
  }
}
