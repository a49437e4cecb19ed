package io.sidecar.proxy;

import io.sidecar.config.ListenerSpec;
import io.sidecar.config.SidecarConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts, reconfigures and stops the listeners. A reload swaps the routing snapshot first (new requests see it
 * at once, requests in flight finish on the old one), then starts added or changed listeners and drains
 * removed ones.
 */
public final class DataPlane {
  private final Vertx vertx;
  private final ProxyRuntime runtime;
  private final int instances;
  private final Map<String, Deployed> listeners = new HashMap<>();

  private record Deployed(ListenerSpec spec, String deploymentId) {}

  public DataPlane(Vertx vertx, ProxyRuntime runtime, int instancesPerListener) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.instances = Math.max(1, instancesPerListener);
  }

  public ProxyRuntime runtime() {
    return runtime;
  }

  /** Applies {@code config} as version {@code version}; completes when every listener is bound. */
  public synchronized Future<Void> apply(long version, SidecarConfig config) {
    runtime.apply(version, config);
    List<Future<?>> steps = new ArrayList<>();
    Map<String, ListenerSpec> wanted = new HashMap<>();
    config.listeners().forEach(l -> wanted.put(l.name(), l));
    for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      ListenerSpec next = wanted.get(entry.getKey());
      if (next == null || !next.equals(entry.getValue().spec())) {
        steps.add(vertx.undeploy(entry.getValue().deploymentId()));
        it.remove();
      }
    }
    return Future.all(steps).compose(v -> {
      List<Future<?>> starts = new ArrayList<>();
      for (ListenerSpec spec : config.listeners()) {
        if (listeners.containsKey(spec.name())) continue;
        starts.add(vertx.deployVerticle(() -> new ListenerVerticle(runtime, spec, config.server()),
                new DeploymentOptions().setInstances(instances))
            .onSuccess(id -> {
              synchronized (this) {
                listeners.put(spec.name(), new Deployed(spec, id));
              }
            }));
      }
      return Future.all(starts);
    }).mapEmpty();
  }

  /** Stops accepting, lets requests in flight finish within the grace period, then closes upstream pools. */
  public synchronized Future<Void> shutdown(Duration grace) {
    List<Future<?>> stops = new ArrayList<>();
    listeners.values().forEach(d -> stops.add(vertx.undeploy(d.deploymentId())));
    listeners.clear();
    return Future.all(stops).eventually(() -> {
      runtime.close(grace);
      return Future.succeededFuture();
    }).mapEmpty();
  }
}
