package io.sidecar.cache;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters per route (and per layer for hits and evictions); lock-free, read as a snapshot. */
public final class CacheStats {

  /** The counters of one route. */
  public static final class RouteCounters {
    public final LongAdder hitsL1 = new LongAdder();
    public final LongAdder hitsL2 = new LongAdder();
    public final LongAdder misses = new LongAdder();
    public final LongAdder stale = new LongAdder();
    public final LongAdder revalidated = new LongAdder();
    public final LongAdder bypass = new LongAdder();
    public final LongAdder coalesced = new LongAdder();
    public final LongAdder bytesFromCache = new LongAdder();
    public final LongAdder bytesStored = new LongAdder();
    public final LongAdder notStorable = new LongAdder();
    public final LongAdder oversize = new LongAdder();
    public final LongAdder evictionsL1 = new LongAdder();
    public final LongAdder evictedBytesL1 = new LongAdder();
    public final LongAdder backgroundRefreshes = new LongAdder();
    public final LongAdder originErrors = new LongAdder();

    Map<String, Object> snapshot() {
      Map<String, Object> m = new LinkedHashMap<>();
      long hits = hitsL1.sum() + hitsL2.sum();
      long lookups = hits + misses.sum() + stale.sum() + revalidated.sum();
      m.put("hits_l1", hitsL1.sum());
      m.put("hits_l2", hitsL2.sum());
      m.put("misses", misses.sum());
      m.put("stale", stale.sum());
      m.put("revalidated", revalidated.sum());
      m.put("bypass", bypass.sum());
      m.put("coalesced", coalesced.sum());
      m.put("hit_ratio", lookups == 0 ? 0.0 : (double) (hits + stale.sum() + revalidated.sum()) / lookups);
      m.put("bytes_from_cache", bytesFromCache.sum());
      m.put("bytes_stored", bytesStored.sum());
      m.put("not_storable", notStorable.sum());
      m.put("oversize", oversize.sum());
      m.put("evictions_l1", evictionsL1.sum());
      m.put("evicted_bytes_l1", evictedBytesL1.sum());
      m.put("background_refreshes", backgroundRefreshes.sum());
      m.put("origin_errors", originErrors.sum());
      return m;
    }
  }

  private final ConcurrentHashMap<String, RouteCounters> routes = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, RouteCounters>> newRouteListeners = new CopyOnWriteArrayList<>();

  public RouteCounters route(String name) {
    RouteCounters c = routes.get(name);
    if (c != null) {
      return c;
    }
    boolean[] created = {false};
    c = routes.computeIfAbsent(name, n -> {
      created[0] = true;
      return new RouteCounters();
    });
    if (created[0]) {
      for (BiConsumer<String, RouteCounters> l : newRouteListeners) {
        l.accept(name, c);
      }
    }
    return c;
  }

  /** Calls {@code listener} for every route known now and every route seen later. */
  public void forEachRoute(BiConsumer<String, RouteCounters> listener) {
    newRouteListeners.add(listener);
    routes.forEach(listener);
  }

  /** Per-route counters as plain maps (for GET /cache/stats and metrics). */
  public Map<String, Map<String, Object>> routesSnapshot() {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    routes.forEach((k, v) -> out.put(k, v.snapshot()));
    return out;
  }
}
