package io.sidecar.proxy;

import io.sidecar.predictor.signals.Signals;
import io.sidecar.predictor.signals.TrafficSignals;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream view of one cluster's traffic: every try (first tries, retries, hedges, cache origin fetches) is
 * recorded in the cluster's and its endpoint's {@link TrafficSignals}, while a route records what its clients saw.
 * Bound to the signals registry of the current routing snapshot (the predictor's registry replaces the initial
 * one when the predictor starts); handles are looked up once per endpoint, not per request.
 */
final class UpstreamSignals {
  private final String cluster;
  private volatile Bound bound;

  private record Bound(Signals registry, TrafficSignals cluster, ConcurrentHashMap<String, TrafficSignals> endpoints) {}

  UpstreamSignals(String cluster) {
    this.cluster = cluster;
  }

  /** Records into {@code registry} from now on (no-op when it is the one in use). */
  void bind(Signals registry) {
    Bound b = bound;
    if (b == null || b.registry() != registry) {
      bound = new Bound(registry, registry.cluster(cluster), new ConcurrentHashMap<>());
    }
  }

  /** The cluster's signals, null before the first routing snapshot bound a registry. */
  TrafficSignals cluster() {
    Bound b = bound;
    return b == null ? null : b.cluster();
  }

  /** The endpoint's signals ({@code cluster/address} in the registry), null before a registry is bound. */
  TrafficSignals endpoint(String address) {
    Bound b = bound;
    if (b == null) return null;
    TrafficSignals signals = b.endpoints().get(address); // get first: the capturing lambda is an object per call
    return signals != null ? signals : b.endpoints().computeIfAbsent(address, a -> b.registry().endpoint(cluster, a));
  }
}
