package io.sidecar.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One immutable, validated configuration snapshot. {@code faults}, {@code faultInjection} (settings) and
 * {@code tcpProxies} are kept as YAML nodes (null when absent): the fault-injection module owns their meaning, and
 * the control API accepts the same shapes as JSON. Their validation is plugged in as a {@link ConfigCheck}.
 * {@code toxiproxyApi} is null when {@code toxiproxy_api:} is absent (the Toxiproxy-compatible API is off).
 */
public record SidecarConfig(String service, String instance, AdminSpec admin, ServerSpec server,
                            List<ListenerSpec> listeners, List<RouteSpec> routes, List<ClusterSpec> clusters,
                            List<YamlNode> faults, YamlNode faultInjection, YamlNode tcpProxies, CacheSpec cache,
                            PredictorSpec predictor, StorageSpec storage, ToxiproxyApiSpec toxiproxyApi) {

  public Optional<ClusterSpec> cluster(String name) {
    return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public Optional<ListenerSpec> listener(String name) {
    return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  public Optional<RouteSpec> route(String name) {
    return routes.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public Set<String> routeNames() {
    return routes.stream().map(RouteSpec::name).collect(Collectors.toUnmodifiableSet());
  }

  public Set<String> clusterNames() {
    return clusters.stream().map(ClusterSpec::name).collect(Collectors.toUnmodifiableSet());
  }
}
