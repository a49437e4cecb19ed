package io.sidecar.cache;

import io.sidecar.cache.store.L1Store;
import io.sidecar.cache.store.L2Store;
import io.sidecar.cache.store.PurgeChannel;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Purge and invalidation for {@link HttpCache}: by key, prefix, glob, tag or all, here in L1 and L2, published on
 * Redis pub/sub so every other instance drops its L1 copies too ({@link PurgeChannel}).
 */
final class CachePurges {
  private final L1Store l1;
  private final L2Store l2;
  private final String channel;
  private final String instanceId;

  /** {@code l2} null: L1 only, nothing published. */
  CachePurges(L1Store l1, L2Store l2, String channel, String instanceId) {
    this.l1 = l1;
    this.l2 = l2;
    this.channel = channel;
    this.instanceId = instanceId;
  }

  /** Drops one URL's entries here and in L2 and tells the other instances; {@code scanL2} for keys with header parts. */
  void invalidate(String url, boolean scanL2) {
    l1.removeUrl(url);
    if (l2 != null) {
      PurgeRequest.Key key = new PurgeRequest.Key(url);
      if (scanL2) {
        l2.purge(u -> key.matches(u, Set.of()), null, false); // keys with header parts: scan
      } else {
        l2.deletePrimary(url); // the primary key is the URL: one DEL (orphans any Vary variants)
      }
      l2.publish(channel, PurgeChannel.message(instanceId, key.kind(), key.value()));
    }
  }

  /**
   * Purges matching entries from L1 and L2 and tells the other instances (Redis pub/sub) to drop their L1
   * copies. Completes with the number of distinct primary keys removed here (L1 and L2 together).
   */
  Future<Integer> purge(PurgeRequest request) {
    Set<String> removed = new HashSet<>(purgeL1(request));
    if (l2 == null) {
      return Future.succeededFuture(removed.size());
    }
    Future<Set<String>> fromL2;
    if (request instanceof PurgeRequest.All) {
      fromL2 = l2.purge(u -> true, null, true);
    } else if (request instanceof PurgeRequest.Tag t) {
      fromL2 = l2.purge(u -> false, t.tag(), false);
    } else {
      fromL2 = l2.purge(u -> request.matches(u, Set.of()), null, false);
    }
    return fromL2.compose(keys -> {
      removed.addAll(keys);
      return l2.publish(channel,
          PurgeChannel.message(instanceId, request.kind(), request.value()))
          .transform(ar -> Future.succeededFuture(removed.size()));
    });
  }

  private List<String> purgeL1(PurgeRequest request) {
    if (request instanceof PurgeRequest.Key k && !k.url().startsWith("/")) {
      List<String> removed = new ArrayList<>(l1.removeUrl(k.url()));
      removed.addAll(l1.removeIf(e -> k.matches(e.keyUrl(), e.tags())));
      return removed;
    }
    return l1.removeIf(e -> request.matches(e.keyUrl(), e.tags()));
  }

  /** A purge another instance published: applied to this instance's L1. */
  void applyRemote(String kind, String value) {
    try {
      purgeL1(PurgeRequest.of(kind, value));
    } catch (InvalidPurgeException ignored) {
      // a malformed message from another instance: nothing to do
    }
  }
}
