package io.sidecar.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer binding of the cache counters, for {@code /metrics}. Per route:
 * {@code sidecar.cache.requests{route,result=hit|miss|stale|revalidated|bypass|coalesced,layer}},
 * {@code sidecar.cache.bytes{route,direction=served|stored}}, {@code sidecar.cache.evictions{route,layer=L1}},
 * {@code sidecar.cache.evicted.bytes{route,layer=L1}}, {@code sidecar.cache.origin.errors{route}};
 * per layer: {@code sidecar.cache.l1.bytes}, {@code sidecar.cache.l1.entries} and
 * {@code sidecar.cache.l2.operations{outcome=hit|miss|error|skipped|write}}. Routes that appear later are
 * registered when first seen.
 */
public final class CacheMetrics implements MeterBinder {

  private final HttpCache cache;

  public CacheMetrics(HttpCache cache) {
    this.cache = cache;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    cache.counters().forEachRoute((route, c) -> {
      counter(registry, "sidecar.cache.requests", c.hitsL1, "route", route, "result", "hit", "layer", "L1");
      counter(registry, "sidecar.cache.requests", c.hitsL2, "route", route, "result", "hit", "layer", "L2");
      counter(registry, "sidecar.cache.requests", c.misses, "route", route, "result", "miss", "layer", "ORIGIN");
      counter(registry, "sidecar.cache.requests", c.stale, "route", route, "result", "stale", "layer", "any");
      counter(registry, "sidecar.cache.requests", c.revalidated, "route", route, "result", "revalidated",
          "layer", "any");
      counter(registry, "sidecar.cache.requests", c.bypass, "route", route, "result", "bypass", "layer", "ORIGIN");
      counter(registry, "sidecar.cache.requests", c.coalesced, "route", route, "result", "coalesced",
          "layer", "L1");
      counter(registry, "sidecar.cache.bytes", c.bytesFromCache, "route", route, "direction", "served");
      counter(registry, "sidecar.cache.bytes", c.bytesStored, "route", route, "direction", "stored");
      counter(registry, "sidecar.cache.evictions", c.evictionsL1, "route", route, "layer", "L1");
      counter(registry, "sidecar.cache.evicted.bytes", c.evictedBytesL1, "route", route, "layer", "L1");
      counter(registry, "sidecar.cache.origin.errors", c.originErrors, "route", route);
    });
    gauge(registry, "sidecar.cache.l1.bytes", "Body bytes held by the in-process cache (off-heap)",
        s -> number(layer(s, "L1"), "bytes"));
    gauge(registry, "sidecar.cache.l1.heap.bytes", "Heap bytes of the in-process cache's entry metadata",
        s -> number(layer(s, "L1"), "heap_bytes"));
    gauge(registry, "sidecar.cache.l1.entries", "Entries in the in-process cache", s -> number(layer(s, "L1"), "entries"));
    if (cache.l2Enabled()) {
      for (String outcome : new String[] {"hits", "misses", "errors", "skipped", "writes"}) {
        FunctionCounter.builder("sidecar.cache.l2.operations", cache,
            c -> number(layer(c.stats(), "L2"), outcome)).description(COUNTER_HELP.get("sidecar.cache.l2.operations"))
            .tag("outcome", outcome).register(registry);
      }
    }
  }

  /** Help text per counter family, as Prometheus wants for every family. */
  private static final Map<String, String> COUNTER_HELP = Map.of(
      "sidecar.cache.requests", "Cache lookups per route by result and the layer that answered",
      "sidecar.cache.bytes", "Body bytes served from the cache or stored into it",
      "sidecar.cache.evictions", "Entries evicted from the in-process cache",
      "sidecar.cache.evicted.bytes", "Body bytes evicted from the in-process cache",
      "sidecar.cache.origin.errors", "Origin fetches of the cache that failed",
      "sidecar.cache.l2.operations", "Redis (L2) operations by outcome");

  private static void counter(MeterRegistry registry, String name, LongAdder adder, String... tags) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(COUNTER_HELP.get(name)).tags(tags)
        .register(registry);
  }

  private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Map<String, Object>> f) {
    Gauge.builder(name, cache, c -> f.applyAsDouble(c.stats())).description(description).register(registry);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> layer(Map<String, Object> stats, String name) {
    Map<String, Object> layers = (Map<String, Object>) stats.get("layers");
    Object l = layers.get(name);
    return l == null ? Map.of() : (Map<String, Object>) l;
  }

  private static double number(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof Number n ? n.doubleValue() : 0;
  }
}
