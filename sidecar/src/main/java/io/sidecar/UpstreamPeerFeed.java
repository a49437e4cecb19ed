package io.sidecar;

import io.sidecar.balancer.PeerLoad;
import io.sidecar.config.ClusterSpec;
import io.sidecar.config.HostPort;
import io.sidecar.config.ListenerSpec;
import io.sidecar.config.SidecarConfig;
import io.sidecar.predictor.peers.PeerSnapshot;
import io.sidecar.proxy.RoutingSnapshot;
import io.sidecar.proxy.UpstreamCluster;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Feeds the load snapshots that upstream instances' own sidecars publish (once a second, on their service's peer
 * channel) into the balancers of the clusters that call them, so the {@code predictive} strategy knows an endpoint is
 * loaded or failing before sending it anything (issue #6). A snapshot goes to every cluster whose {@code service}
 * is the snapshot's, and there to the endpoint whose address is the one the snapshot advertises
 * ({@code predictor.peers.advertise}); snapshots without an address, or for an address no cluster has, are ignored.
 */
final class UpstreamPeerFeed implements Consumer<PeerSnapshot> {
  private final Supplier<RoutingSnapshot> routing;
  private final LongSupplier nanoClock;
  private final LongSupplier wallMillis;

  UpstreamPeerFeed(Supplier<RoutingSnapshot> routing, LongSupplier nanoClock, LongSupplier wallMillis) {
    this.routing = routing;
    this.nanoClock = nanoClock;
    this.wallMillis = wallMillis;
  }

  UpstreamPeerFeed(Supplier<RoutingSnapshot> routing) {
    this(routing, System::nanoTime, System::currentTimeMillis);
  }

  @Override
  public void accept(PeerSnapshot snapshot) {
    RoutingSnapshot current = routing.get();
    // Before the first config is applied there is no cluster to feed; the peer publishes again shortly.
    if (snapshot.addr() == null || current == null) return;
    PeerLoad load = null;
    for (UpstreamCluster cluster : current.clusters().values()) {
      if (!snapshot.service().equals(cluster.spec().service())) continue;
      if (load == null) load = toPeerLoad(snapshot);
      cluster.balancer().observePeerLoad(snapshot.addr(), load);
    }
  }

  /**
   * The balancer's form of a snapshot: its wall-clock time becomes the balancer's nano clock (a publisher's clock
   * ahead of ours counts as now); values a remote instance may send out of range are dropped to "not reported".
   */
  PeerLoad toPeerLoad(PeerSnapshot s) {
    long ageMillis = Math.max(0, wallMillis.getAsLong() - s.atMillis());
    return new PeerLoad(Math.max(0, s.inFlight()), nonNegative(s.p50Ms()), nonNegative(s.p99Ms()),
        fraction(s.errorRate()), fraction(s.cpu()), nanoClock.getAsLong() - ageMillis * 1_000_000);
  }

  private static double nonNegative(double v) {
    return v >= 0 && v < Double.POSITIVE_INFINITY ? v : Double.NaN;
  }

  private static double fraction(double v) {
    return v >= 0 && v <= 1 ? v : Double.NaN;
  }

  /** The services whose snapshots the clusters of {@code config} want. */
  static Set<String> services(SidecarConfig config) {
    Set<String> services = new LinkedHashSet<>();
    for (ClusterSpec c : config.clusters()) services.add(c.service());
    return services;
  }

  /**
   * The address this instance advertises in its snapshots: {@code predictor.peers.advertise}, else the serving
   * listener's address when it is a concrete one (a wildcard such as 0.0.0.0 is not an address a caller can use).
   */
  static HostPort advertisedAddress(SidecarConfig config) {
    if (config.predictor().advertise() != null) return config.predictor().advertise();
    for (ListenerSpec l : config.listeners()) {
      if (!RoutingSnapshot.SERVING_LISTENER.equals(l.name())) continue;
      String host = l.address().host();
      boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
      return wildcard ? null : l.address();
    }
    return null;
  }
}
