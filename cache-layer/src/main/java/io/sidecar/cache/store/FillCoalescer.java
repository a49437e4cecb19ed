package io.sidecar.cache.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request coalescing (like nginx proxy_cache_lock / Varnish waiting list): the first miss for a key becomes
 * the leader and fetches; later ones wait on the leader's fill. The fill completes with the stored entry, or
 * null when nothing was stored (the waiters then go to the origin themselves).
 */
public final class FillCoalescer {

  private final ConcurrentHashMap<String, Promise<StoredEntry>> inflight = new ConcurrentHashMap<>();

  /** A new promise when the caller is the leader for {@code key}, else null. */
  public Promise<StoredEntry> tryLead(String key) {
    Promise<StoredEntry> mine = Promise.promise();
    return inflight.putIfAbsent(key, mine) == null ? mine : null;
  }

  /** The fill in flight for {@code key}, or null. */
  public Future<StoredEntry> inflight(String key) {
    Promise<StoredEntry> p = inflight.get(key);
    return p == null ? null : p.future();
  }

  /** Ends a fill (idempotent; a null promise is ignored). */
  public void finish(String key, Promise<StoredEntry> leader, StoredEntry result) {
    if (leader == null) {
      return;
    }
    inflight.remove(key, leader);
    leader.tryComplete(result);
  }

  public int size() {
    return inflight.size();
  }
}
