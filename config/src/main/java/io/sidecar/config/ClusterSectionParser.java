package io.sidecar.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code clusters:} section of {@link ConfigParser}: endpoints, pool, upstream TLS, circuit breaker, outlier
 * detection (Envoy's fields and defaults), active health checks, hedging and limits.
 */
final class ClusterSectionParser {
  private final ConfigParser common;
  private final List<ConfigError> errors;

  ClusterSectionParser(ConfigParser common, List<ConfigError> errors) {
    this.common = common;
    this.errors = errors;
  }

  List<ClusterSpec> clusters(Fields root) {
    List<YamlNode> items = root.list("clusters");
    if (items.isEmpty()) {
      root.error("clusters", "at least one cluster is required");
    }
    List<ClusterSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : items) {
      Fields f = Fields.of(item, errors, "name", "balancer", "endpoints", "pool", "tls", "protocol",
          "circuit_breaker", "outlier_detection", "hedge", "limits", "health_check", "service");
      String name = f.requiredString("name");
      common.checkName(f, name, names, "cluster");
      String balancer = common.oneOf(f, "balancer", ClusterSpec.DEFAULT_BALANCER, ClusterSpec.BALANCERS);
      String protocol = common.oneOf(f, "protocol", "http1", ClusterSpec.PROTOCOLS);
      List<ClusterSpec.EndpointSpec> endpoints = endpoints(f);
      Fields p = f.section("pool", "max_connections", "connect_timeout", "idle_timeout", "max_pending");
      PoolSpec pool = new PoolSpec(
          p.integer("max_connections", PoolSpec.DEFAULT_MAX_CONNECTIONS, 1, 100_000),
          p.duration("connect_timeout", PoolSpec.DEFAULT_CONNECT_TIMEOUT, false),
          p.duration("idle_timeout", PoolSpec.DEFAULT_IDLE_TIMEOUT, false),
          p.integer("max_pending", PoolSpec.DEFAULT_MAX_PENDING, 0, 1_000_000));
      UpstreamTlsSpec tls = null;
      if (f.has("tls")) {
        Fields t = f.section("tls", "verify", "ca", "sni", "cert", "key");
        tls = new UpstreamTlsSpec(t.bool("verify", true), common.file(t, "ca", false), t.string("sni", null),
            common.file(t, "cert", false), common.file(t, "key", false));
        if ((tls.cert() == null) != (tls.key() == null)) t.error("cert", "cert and key go together");
      }
      if (protocol.equals("h2") && tls == null) {
        f.error("protocol", "h2 needs tls (use h2c for HTTP/2 over plain text)");
      }
      CircuitBreakerSpec breaker = f.has("circuit_breaker") ? breaker(f.section("circuit_breaker",
          "failure_rate", "slow_call_rate", "slow_call_duration", "window", "window_type", "min_calls",
          "open_for", "half_open_calls")) : null;
      OutlierDetectionSpec outlier = f.has("outlier_detection") ? outlier(f.section("outlier_detection",
          "consecutive_5xx", "consecutive_gateway_failure", "interval", "base_ejection_time",
          "max_ejection_time", "max_ejection_percent", "success_rate_minimum_hosts",
          "success_rate_request_volume", "success_rate_stdev_factor", "panic_threshold",
          "enforcing_consecutive_5xx", "enforcing_consecutive_gateway_failure", "enforcing_success_rate",
          "failure_percentage_threshold", "enforcing_failure_percentage", "failure_percentage_minimum_hosts",
          "failure_percentage_request_volume", "successful_active_health_check_uneject_host")) : null;
      HealthCheckSpec healthCheck = f.has("health_check") ? healthCheck(f.section("health_check", "path", "host",
          "interval", "timeout", "interval_jitter", "unhealthy_interval", "no_traffic_interval",
          "unhealthy_threshold", "healthy_threshold", "expected_statuses", "retriable_statuses")) : null;
      HedgeSpec hedge = null;
      if (f.has("hedge")) {
        Fields h = f.section("hedge", "delay", "percentile", "budget_percent");
        hedge = new HedgeSpec(h.duration("delay", null, false), h.number("percentile", 95, 1, 99.99),
            h.number("budget_percent", 5, 0, 100));
      }
      Fields l = f.section("limits", "max_requests", "max_retries", "adaptive_concurrency", "min_concurrency",
          "max_concurrency");
      LimitsSpec d = LimitsSpec.DEFAULTS;
      LimitsSpec limits = new LimitsSpec(l.integer("max_requests", d.maxRequests(), 1, 10_000_000),
          l.integer("max_retries", d.maxRetries(), 0, 1_000_000), l.bool("adaptive_concurrency", false),
          l.integer("min_concurrency", d.minConcurrency(), 1, 100_000),
          l.integer("max_concurrency", d.maxConcurrency(), 1, 1_000_000));
      if (limits.maxConcurrency() < limits.minConcurrency()) l.error("max_concurrency", "must be at least min_concurrency");
      String service = f.string("service", name);
      if (service != null && service.isBlank()) f.error("service", "must not be empty");
      out.add(new ClusterSpec(name, balancer, endpoints, pool, tls, protocol, breaker, outlier, hedge, limits,
          healthCheck, service));
    }
    return List.copyOf(out);
  }

  private List<ClusterSpec.EndpointSpec> endpoints(Fields cluster) {
    List<ClusterSpec.EndpointSpec> out = new ArrayList<>();
    Set<HostPort> seen = new HashSet<>();
    for (YamlNode item : cluster.list("endpoints")) {
      Fields f = item.isScalar()
          ? Fields.of(YamlNode.map(item.path(), item.line(), new LinkedHashMap<>(Map.of("address", item))), errors,
              "address")
          : Fields.of(item, errors, "address", "host", "port", "weight");
      HostPort address;
      if (f.has("address")) {
        address = common.address(f, "address", null);
        if (f.has("host") || f.has("port")) f.error("address", "give either address or host and port");
      } else {
        String host = f.requiredString("host");
        int port = f.has("port") ? f.integer("port", 0, 1, 65535) : 0;
        if (!f.has("port")) f.error("port", "is required");
        address = host.isEmpty() || port == 0 ? null : new HostPort(host, port);
      }
      int weight = f.integer("weight", 1, 1, 1_000_000);
      if (address != null) {
        if (!seen.add(address)) f.error("address", "duplicate endpoint " + address);
        out.add(new ClusterSpec.EndpointSpec(address, weight));
      }
    }
    return List.copyOf(out);
  }

  private CircuitBreakerSpec breaker(Fields f) {
    String windowType = common.oneOf(f, "window_type", "count", List.of("count", "time"));
    return new CircuitBreakerSpec(
        f.number("failure_rate", 50, 1, 100),
        f.number("slow_call_rate", 100, 1, 100),
        f.duration("slow_call_duration", Duration.ofSeconds(60), false),
        f.integer("window", 100, 1, 100_000),
        windowType,
        f.integer("min_calls", 100, 1, 100_000),
        f.duration("open_for", Duration.ofSeconds(60), false),
        f.integer("half_open_calls", 10, 1, 10_000));
  }

  private OutlierDetectionSpec outlier(Fields f) {
    return new OutlierDetectionSpec(
        f.integer("consecutive_5xx", 5, 0, 1_000_000),
        f.integer("consecutive_gateway_failure", 5, 0, 1_000_000),
        f.duration("interval", Duration.ofSeconds(10), false),
        f.duration("base_ejection_time", Duration.ofSeconds(30), false),
        f.duration("max_ejection_time", Duration.ofSeconds(300), false),
        f.integer("max_ejection_percent", 10, 0, 100),
        f.integer("success_rate_minimum_hosts", 5, 1, 100_000),
        f.integer("success_rate_request_volume", 100, 1, 10_000_000),
        f.number("success_rate_stdev_factor", 1.9, 0.1, 100),
        f.integer("panic_threshold", 50, 0, 100),
        f.integer("enforcing_consecutive_5xx", 100, 0, 100),
        f.integer("enforcing_consecutive_gateway_failure", 0, 0, 100),
        f.integer("enforcing_success_rate", 100, 0, 100),
        f.integer("failure_percentage_threshold", 85, 0, 100),
        f.integer("enforcing_failure_percentage", 0, 0, 100),
        f.integer("failure_percentage_minimum_hosts", 5, 1, 100_000),
        f.integer("failure_percentage_request_volume", 50, 1, 10_000_000),
        f.bool("successful_active_health_check_uneject_host", true));
  }

  private HealthCheckSpec healthCheck(Fields f) {
    String path = f.requiredString("path");
    if (!path.isEmpty() && !path.startsWith("/")) f.error("path", "must start with /");
    String host = f.string("host", null);
    if (host != null && host.isBlank()) f.error("host", "must not be empty (leave it out to send the cluster name)");
    Duration interval = f.duration("interval", HealthCheckSpec.DEFAULT_INTERVAL, false);
    List<HealthCheckSpec.StatusRange> expected = statusRanges(f, "expected_statuses");
    return new HealthCheckSpec(path, host, interval,
        f.duration("timeout", HealthCheckSpec.DEFAULT_TIMEOUT, false),
        f.duration("interval_jitter", Duration.ZERO, true),
        f.duration("unhealthy_interval", interval, false),
        f.duration("no_traffic_interval", HealthCheckSpec.DEFAULT_NO_TRAFFIC_INTERVAL, false),
        f.integer("unhealthy_threshold", HealthCheckSpec.DEFAULT_UNHEALTHY_THRESHOLD, 1, 1_000_000),
        f.integer("healthy_threshold", HealthCheckSpec.DEFAULT_HEALTHY_THRESHOLD, 1, 1_000_000),
        expected.isEmpty() ? List.of(new HealthCheckSpec.StatusRange(200, 200)) : expected,
        statusRanges(f, "retriable_statuses"));
  }

  /** A list of statuses ({@code 200}) and inclusive ranges ({@code 200-399}), each within 100..599. */
  private List<HealthCheckSpec.StatusRange> statusRanges(Fields f, String key) {
    List<HealthCheckSpec.StatusRange> out = new ArrayList<>();
    List<String> items = f.strings(key);
    for (String item : items) {
      String[] parts = item.trim().split("\\s*-\\s*", -1);
      try {
        if (parts.length > 2) throw new NumberFormatException();
        int first = Integer.parseInt(parts[0]);
        int last = parts.length == 2 ? Integer.parseInt(parts[1]) : first;
        if (first < 100 || last > 599 || first > last) {
          f.error(key, "'" + item + "' must be a status or range within 100-599, low to high");
        } else {
          out.add(new HealthCheckSpec.StatusRange(first, last));
        }
      } catch (NumberFormatException e) {
        f.error(key, "'" + item + "' is not an HTTP status or range (e.g. 200 or 200-399)");
      }
    }
    if (f.has(key) && items.isEmpty()) f.error(key, "must list at least one status");
    return List.copyOf(out);
  }
}
