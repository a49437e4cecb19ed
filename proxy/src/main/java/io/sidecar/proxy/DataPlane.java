package io.sidecar.proxy;

import io.sidecar.config.ListenerSpec;
import io.sidecar.config.ServerSpec;
import io.sidecar.config.SidecarConfig;
import io.sidecar.proxy.tls.ListenerTls;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Starts, reconfigures and stops the listeners. A reload swaps the routing snapshot first (new requests see it
 * at once, requests in flight finish on the old one), then starts added or changed listeners and drains
 * removed ones. A listener whose TLS settings alone changed keeps its socket and gets the new certificate in place;
 * one that moves to another address listens there before its old socket drains, so no connection is refused; a
 * changed listener that fails to start is started again as it was (or keeps its old socket), and the reload fails.
 */
public final class DataPlane {
  /** How often TLS listeners look at their certificate files. */
  static final Duration CERTIFICATE_WATCH_INTERVAL = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final ProxyRuntime runtime;
  private final int instances;
  private final Clock clock;
  private final Map<String, Deployed> listeners = new HashMap<>();

  private record Deployed(ListenerSpec spec, String deploymentId, ListenerTls tls) {}

  public DataPlane(Vertx vertx, ProxyRuntime runtime, int instancesPerListener) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.instances = Math.max(1, instancesPerListener);
    this.clock = Clock.systemUTC();
  }

  public ProxyRuntime runtime() {
    return runtime;
  }

  /** Applies {@code config} as version {@code version}; completes when every listener is bound. */
  public synchronized Future<Void> apply(long version, SidecarConfig config) {
    runtime.apply(version, config);
    List<Future<?>> steps = new ArrayList<>();
    Map<String, ListenerSpec> replaced = new HashMap<>();
    Map<String, Deployed> moved = new HashMap<>();
    Map<String, ListenerSpec> wanted = new HashMap<>();
    config.listeners().forEach(l -> wanted.put(l.name(), l));
    for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      Deployed deployed = entry.getValue();
      ListenerSpec next = wanted.get(entry.getKey());
      if (next != null && next.equals(deployed.spec())) continue;
      if (next != null && onlyTlsChanged(deployed.spec(), next)) {
        steps.add(deployed.tls().use(next.tls())
            .onSuccess(v -> replace(next.name(), new Deployed(next, deployed.deploymentId(), deployed.tls()))));
        continue;
      }
      it.remove();
      if (next != null && !next.address().equals(deployed.spec().address())) {
        moved.put(next.name(), deployed); // the old socket serves until the new one listens
        continue;
      }
      if (next != null) replaced.put(next.name(), deployed.spec());
      steps.add(undeploy(deployed));
    }
    return Future.all(steps).compose(v -> {
      List<Future<?>> starts = new ArrayList<>();
      for (ListenerSpec spec : config.listeners()) {
        if (listeners.containsKey(spec.name())) continue;
        ListenerSpec previous = replaced.get(spec.name());
        Deployed old = moved.get(spec.name());
        if (old != null) {
          // The old socket's certificate watch and meters stop first: the new listener registers meters of the
          // same name. Should the new one fail, the old keeps serving and gets a watch of its own again.
          if (old.tls() != null) old.tls().close();
          Deployed oldSocket = new Deployed(old.spec(), old.deploymentId(), null);
          starts.add(deploy(spec, config.server()).compose(started -> undeploy(oldSocket),
              err -> keepServing(oldSocket, old.tls()).transform(ignored -> Future.failedFuture(err))));
        } else {
          starts.add(deploy(spec, config.server()).recover(err -> previous == null ? Future.failedFuture(err)
              : deploy(previous, config.server()).transform(ignored -> Future.failedFuture(err))));
        }
      }
      return Future.all(starts);
    }).mapEmpty();
  }

  /** The TLS listeners' certificates and rotations, by listener name. */
  public synchronized Map<String, ListenerTls.Status> tlsStatus() {
    Map<String, ListenerTls.Status> out = new TreeMap<>();
    listeners.forEach((name, d) -> {
      if (d.tls() != null) out.put(name, d.tls().status());
    });
    return out;
  }

  private static boolean onlyTlsChanged(ListenerSpec a, ListenerSpec b) {
    return a.tls() != null && b.tls() != null && a.name().equals(b.name()) && a.address().equals(b.address())
        && a.h2c() == b.h2c();
  }

  private Future<Void> deploy(ListenerSpec spec, ServerSpec server) {
    Future<ListenerTls> tls = spec.tls() == null ? Future.succeededFuture(null)
        : ListenerTls.load(vertx, spec.name(), spec.tls(), runtime.metrics().registry(), clock);
    return tls.compose(loaded -> vertx.deployVerticle(() -> new ListenerVerticle(runtime, spec, server, loaded),
            new DeploymentOptions().setInstances(instances))
        .onFailure(err -> {
          if (loaded != null) loaded.close();
        })
        .onSuccess(id -> {
          if (loaded != null) loaded.watch(CERTIFICATE_WATCH_INTERVAL);
          replace(spec.name(), new Deployed(spec, id, loaded));
        })).mapEmpty();
  }

  /**
   * A listener that could not move keeps its old socket; a TLS one watches its certificate again, handing rotations
   * to the servers {@code closedTls} served (without it, rotation would stop until the listener changed again).
   */
  private Future<Void> keepServing(Deployed oldSocket, ListenerTls closedTls) {
    ListenerSpec spec = oldSocket.spec();
    replace(spec.name(), oldSocket);
    if (closedTls == null) return Future.succeededFuture();
    return ListenerTls.load(vertx, spec.name(), spec.tls(), runtime.metrics().registry(), clock)
        .onSuccess(watched -> {
          watched.serveLike(closedTls);
          watched.watch(CERTIFICATE_WATCH_INTERVAL);
          replace(spec.name(), new Deployed(spec, oldSocket.deploymentId(), watched));
        })
        .<Void>mapEmpty()
        .recover(err -> Future.succeededFuture()); // files unreadable now: it serves what it has, as before
  }

  private synchronized void replace(String name, Deployed deployed) {
    listeners.put(name, deployed);
  }

  private Future<Void> undeploy(Deployed deployed) {
    if (deployed.tls() != null) deployed.tls().close();
    return vertx.undeploy(deployed.deploymentId());
  }

  /** Stops accepting, lets requests in flight finish within the grace period, then closes upstream pools. */
  public synchronized Future<Void> shutdown(Duration grace) {
    List<Future<?>> stops = new ArrayList<>();
    listeners.values().forEach(d -> stops.add(undeploy(d)));
    listeners.clear();
    return Future.all(stops).eventually(() -> {
      runtime.close(grace);
      return Future.succeededFuture();
    }).mapEmpty();
  }
}
