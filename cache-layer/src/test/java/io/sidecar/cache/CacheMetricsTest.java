package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class CacheMetricsTest {

  @Test
  void exposesPerRouteAndPerLayerMeters() {
    try (CacheHarness h = new CacheHarness(CacheConfig.builder().build())) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new CacheMetrics(h.cache).bindTo(registry);
      h.on("/m", r -> r.response().putHeader("Cache-Control", "max-age=60").end("1234"));
      h.get("/m");
      h.get("/m");
      h.get("/m");
      assertThat(registry.get("sidecar.cache.requests").tag("route", "test").tag("result", "hit")
          .tag("layer", "L1").functionCounter().count()).isEqualTo(2);
      assertThat(registry.get("sidecar.cache.requests").tag("result", "miss").functionCounter().count())
          .isEqualTo(1);
      assertThat(registry.get("sidecar.cache.bytes").tag("direction", "served").functionCounter().count())
          .isEqualTo(8);
      assertThat(registry.get("sidecar.cache.l1.entries").gauge().value()).isEqualTo(1);
    }
  }
}
