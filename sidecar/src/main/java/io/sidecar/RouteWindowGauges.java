package io.sidecar;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.sidecar.predictor.signals.TrafficSignals;
import io.sidecar.predictor.signals.WindowStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The predictor's rolling 10 s window per route in {@code /metrics}: request rate, error rate and latency
 * quantiles, refreshed once a second (never per request). Histograms for long-range queries stay in
 * {@code sidecar_request_duration_seconds}.
 */
final class RouteWindowGauges {
  private final MultiGauge rate;
  private final MultiGauge errorRate;
  private final MultiGauge latency;

  RouteWindowGauges(MeterRegistry registry) {
    rate = MultiGauge.builder("sidecar_route_request_rate").description("Requests per second, last 10 s")
        .baseUnit("requests").register(registry);
    errorRate = MultiGauge.builder("sidecar_route_error_ratio").description("Share of failed requests, last 10 s")
        .register(registry);
    latency = MultiGauge.builder("sidecar_route_latency_seconds")
        .description("Latency quantiles over the last 10 s (HdrHistogram)").register(registry);
  }

  void update(Collection<TrafficSignals> routes) {
    List<MultiGauge.Row<?>> rates = new ArrayList<>();
    List<MultiGauge.Row<?>> errors = new ArrayList<>();
    List<MultiGauge.Row<?>> quantiles = new ArrayList<>();
    for (TrafficSignals route : routes) {
      WindowStats w = route.snapshot().last10s();
      Tags tags = Tags.of("route", route.name());
      rates.add(MultiGauge.Row.of(tags, w.ratePerSecond()));
      if (w.requests() == 0) continue;
      errors.add(MultiGauge.Row.of(tags, w.errorRate()));
      quantiles.add(MultiGauge.Row.of(tags.and("quantile", "0.5"), w.p50Ms() / 1000));
      quantiles.add(MultiGauge.Row.of(tags.and("quantile", "0.9"), w.p90Ms() / 1000));
      quantiles.add(MultiGauge.Row.of(tags.and("quantile", "0.99"), w.p99Ms() / 1000));
      quantiles.add(MultiGauge.Row.of(tags.and("quantile", "0.999"), w.p999Ms() / 1000));
    }
    rate.register(rates, true);
    errorRate.register(errors, true);
    latency.register(quantiles, true);
  }
}
