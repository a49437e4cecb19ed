package io.sidecar.config;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds a {@link SidecarConfig} from a {@link YamlNode} tree, collecting every error with its path and line.
 * Cross-references (route to listener, route to cluster) are checked after every section is read.
 */
public final class ConfigParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern METHOD = Pattern.compile("[A-Z]+");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final List<ConfigError> errors;

  private ConfigParser(List<ConfigError> errors) {
    this.errors = errors;
  }

  /** Parses a whole configuration; problems are appended to {@code errors} (the result is unusable if any). */
  public static SidecarConfig parse(YamlNode root, List<ConfigError> errors) {
    return new ConfigParser(errors).root(root);
  }

  private SidecarConfig root(YamlNode root) {
    Fields f = Fields.of(root, errors, "service", "instance", "admin", "server", "listeners", "routes",
        "clusters", "faults", "fault_injection", "tcp_proxies", "toxiproxy_api", "cache", "predictor", "storage");
    String service = f.string("service", "sidecar");
    String instance = f.string("instance", defaultInstance());
    AdminSpec admin = admin(f.section("admin", "address", "token"));
    ServerSpec server = server(f.section("server", "max_header_size", "max_request_body", "shutdown_grace",
        "access_log", "event_loops", "transport", "fast_path", "idle_timeout", "generate_request_id"));
    List<ListenerSpec> listeners = listeners(f);
    List<ClusterSpec> clusters = clusters(f);
    List<RouteSpec> routes = routes(f, listeners, clusters);
    List<YamlNode> faults = faults(f);
    CacheSpec cache = cache(f.section("cache", "l1", "l2", "tag_header"));
    PredictorSpec predictor = predictor(f.section("predictor", "peers", "scaling", "anomaly"));
    StorageSpec storage = new StorageSpec(
        url(f.section("storage", "postgres"), "postgres", "postgresql", "postgres"));
    YamlNode faultInjection = f.raw("fault_injection");
    YamlNode tcpProxies = f.raw("tcp_proxies");
    ToxiproxyApiSpec toxiproxyApi = toxiproxyApi(f, admin, listeners);
    return new SidecarConfig(service, instance, admin, server, listeners, routes, clusters, faults,
        faultInjection == null || faultInjection.isNull() ? null : faultInjection,
        tcpProxies == null || tcpProxies.isNull() ? null : tcpProxies, cache, predictor, storage, toxiproxyApi);
  }

  /**
   * {@code toxiproxy_api: { address: 127.0.0.1:8474 }}: present = on (the address defaults to Toxiproxy's port on
   * loopback), absent = off. Its address may not be the admin API's or a listener's: Vert.x would share one socket
   * between the two servers and split their connections.
   */
  private ToxiproxyApiSpec toxiproxyApi(Fields root, AdminSpec admin, List<ListenerSpec> listeners) {
    if (!root.has("toxiproxy_api")) return null;
    Fields f = root.section("toxiproxy_api", "address");
    HostPort address = address(f, "address", ToxiproxyApiSpec.DEFAULT_ADDRESS);
    if (address.equals(admin.address())) {
      f.error("address", "the admin API uses " + address);
    }
    for (ListenerSpec l : listeners) {
      if (address.equals(l.address())) f.error("address", "listener " + l.name() + " uses " + address);
    }
    return new ToxiproxyApiSpec(address);
  }

  private static String defaultInstance() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "sidecar-0" : host;
  }

  private AdminSpec admin(Fields f) {
    HostPort address = address(f, "address", AdminSpec.DEFAULT_ADDRESS);
    return new AdminSpec(address, f.string("token", ""));
  }

  private ServerSpec server(Fields f) {
    int maxHeader = (int) Math.min(Integer.MAX_VALUE, f.size("max_header_size", ServerSpec.DEFAULT_MAX_HEADER_SIZE));
    if (maxHeader < 1024) f.error("max_header_size", "must be at least 1KiB");
    long maxBody = f.size("max_request_body", ServerSpec.DEFAULT_MAX_REQUEST_BODY);
    Duration grace = f.duration("shutdown_grace", ServerSpec.DEFAULT_SHUTDOWN_GRACE, true);
    String accessLog = f.string("access_log", "off");
    int loops = f.integer("event_loops", 0, 0, 256);
    ServerSpec.Transport transport = f.enumValue("transport", ServerSpec.Transport.AUTO, ServerSpec.Transport.class);
    boolean fastPath = f.bool("fast_path", true);
    Duration idle = f.duration("idle_timeout", ServerSpec.DEFAULT_IDLE_TIMEOUT, true);
    return new ServerSpec(maxHeader, maxBody, grace, accessLog, loops, transport, fastPath, idle,
        f.bool("generate_request_id", true));
  }

  private HostPort address(Fields f, String key, HostPort defaultValue) {
    if (!f.has(key)) {
      return defaultValue;
    }
    YamlNode node = f.raw(key);
    if (!node.isScalar()) {
      f.error(node, "must be host:port, got " + node.describe());
      return defaultValue;
    }
    try {
      HostPort hp = HostPort.parse(node.scalar());
      if (hp.port() < 1 || hp.port() > 65535) {
        errors.add(new ConfigError(node.path() + ".port", node.line(), "must be 1..65535, got " + hp.port()));
        return defaultValue;
      }
      return hp;
    } catch (IllegalArgumentException e) {
      f.error(node, e.getMessage());
      return defaultValue;
    }
  }

  private boolean checkName(Fields f, String name, Set<String> seen, String what) {
    if (name.isEmpty()) {
      return false;
    }
    if (!NAME.matcher(name).matches()) {
      f.error("name", "'" + name + "' is not a valid name (letters, digits, '.', '_', '-')");
      return false;
    }
    if (!seen.add(name)) {
      f.error("name", "duplicate " + what + " name '" + name + "'");
      return false;
    }
    return true;
  }

  private List<ListenerSpec> listeners(Fields root) {
    List<YamlNode> items = root.list("listeners");
    if (items.isEmpty()) {
      root.error("listeners", "at least one listener is required");
    }
    List<ListenerSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<HostPort> addresses = new HashSet<>();
    for (YamlNode item : items) {
      Fields f = Fields.of(item, errors, "name", "address", "tls", "h2c");
      String name = f.requiredString("name");
      checkName(f, name, names, "listener");
      if (!f.has("address")) f.error("address", "is required");
      HostPort address = address(f, "address", null);
      if (address != null && !addresses.add(address)) f.error("address", "another listener uses " + address);
      TlsServerSpec tls = null;
      if (f.has("tls")) {
        Fields t = f.section("tls", "cert", "key", "client_ca", "min_version", "ciphers");
        tls = new TlsServerSpec(file(t, "cert", true), file(t, "key", true), file(t, "client_ca", false),
            t.parsed("min_version", TlsServerSpec.FROM_TLS_1_2, ConfigParser::tlsProtocolsFrom), ciphers(t));
      }
      boolean h2c = f.bool("h2c", true);
      if (tls != null && f.has("h2c")) f.error("h2c", "applies to plain listeners only (TLS listeners offer h2 by ALPN)");
      out.add(new ListenerSpec(name, address, tls, h2c));
    }
    return List.copyOf(out);
  }

  /** {@code min_version}: 1.2 (default) or 1.3, also spelt TLSv1.2 / TLSv1_2. */
  static List<String> tlsProtocolsFrom(String version) {
    String v = version.trim().toLowerCase(java.util.Locale.ROOT).replace("tlsv", "").replace('_', '.');
    switch (v) {
      case "1.2": return TlsServerSpec.FROM_TLS_1_2;
      case "1.3": return TlsServerSpec.TLS_1_3_ONLY;
      case "1.0": case "1": case "1.1":
        throw new IllegalArgumentException("TLS " + v + " is deprecated (RFC 8996); use 1.2 or 1.3");
      default:
        throw new IllegalArgumentException("must be 1.2 or 1.3, got '" + version + "'");
    }
  }

  /** TLS 1.2 cipher suite names; whether this TLS library has them is checked by the proxy's TLS check. */
  private static List<String> ciphers(Fields t) {
    List<String> ciphers = t.strings("ciphers");
    for (String c : ciphers) {
      if (c.isBlank() || c.contains(":")) {
        t.error("ciphers", "one cipher suite per list item, got '" + c + "'");
      }
    }
    if (t.has("ciphers") && ciphers.isEmpty()) t.error("ciphers", "must not be empty (omit it for the default list)");
    return ciphers;
  }

  /** A file path that must exist and be readable (checked now, so a bad path is found before serving). */
  private String file(Fields f, String key, boolean required) {
    String path = f.string(key, null);
    if (path == null || path.isBlank()) {
      if (required) f.error(key, "is required");
      return null;
    }
    File file = new File(path);
    if (!file.isFile() || !file.canRead()) {
      f.error(key, "file '" + path + "' does not exist or cannot be read");
    }
    return path;
  }

  private List<ClusterSpec> clusters(Fields root) {
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
      checkName(f, name, names, "cluster");
      String balancer = oneOf(f, "balancer", ClusterSpec.DEFAULT_BALANCER, ClusterSpec.BALANCERS);
      String protocol = oneOf(f, "protocol", "http1", ClusterSpec.PROTOCOLS);
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
        tls = new UpstreamTlsSpec(t.bool("verify", true), file(t, "ca", false), t.string("sni", null),
            file(t, "cert", false), file(t, "key", false));
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

  private String oneOf(Fields f, String key, String defaultValue, List<String> allowed) {
    String value = f.string(key, defaultValue);
    if (!allowed.contains(value)) {
      f.error(key, "unknown value '" + value + "' (expected one of: " + String.join(", ", allowed) + ")");
      return defaultValue;
    }
    return value;
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
        address = address(f, "address", null);
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
    String windowType = oneOf(f, "window_type", "count", List.of("count", "time"));
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

  private List<RouteSpec> routes(Fields root, List<ListenerSpec> listeners, List<ClusterSpec> clusters) {
    List<YamlNode> items = root.list("routes");
    if (items.isEmpty()) {
      root.error("routes", "at least one route is required");
    }
    Set<String> listenerNames = new HashSet<>();
    listeners.forEach(l -> listenerNames.add(l.name()));
    Set<String> clusterNames = new HashSet<>();
    clusters.forEach(c -> clusterNames.add(c.name()));
    List<RouteSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : items) {
      Fields f = Fields.of(item, errors, "name", "listener", "match", "cluster", "split", "rewrite_prefix",
          "host_rewrite", "request_headers", "response_headers", "timeout", "idle_timeout", "retry", "cache",
          "rate_limit");
      String name = f.requiredString("name");
      checkName(f, name, names, "route");
      String listener = f.string("listener", listeners.size() == 1 ? listeners.get(0).name() : null);
      if (listener == null) {
        f.error("listener", "is required when there is more than one listener");
      } else if (!listenerNames.isEmpty() && !listenerNames.contains(listener)) {
        f.error("listener", "no listener named '" + listener + "'");
      }
      RouteMatchSpec match = match(f.section("match", "host", "hosts", "path", "path_exact", "path_prefix",
          "path_regex", "methods", "headers", "query"));
      List<RouteSpec.WeightedCluster> split = split(f, clusterNames);
      String rewrite = f.string("rewrite_prefix", null);
      if (rewrite != null && match.pathPrefix() == null) {
        f.error("rewrite_prefix", "needs match.path_prefix");
      }
      Duration timeout = f.duration("timeout", RouteSpec.DEFAULT_TIMEOUT, true); // 0s: none (long-lived streams)
      Duration idle = f.duration("idle_timeout", RouteSpec.DEFAULT_IDLE_TIMEOUT, false);
      RetrySpec retry = f.has("retry") ? retry(f.section("retry", "on", "attempts", "per_try_timeout",
          "retriable_status_codes", "non_idempotent", "backoff_base", "backoff_max", "max_buffered_body")) : null;
      if (retry != null && retry.perTryTimeout() != null && !timeout.isZero() && retry.perTryTimeout().compareTo(timeout) > 0) {
        errors.add(new ConfigError(f.childPath("retry.per_try_timeout"), f.raw("retry").line(),
            "must not exceed the route timeout (" + Units.formatDuration(timeout) + ")"));
      }
      RouteCacheSpec cache = f.has("cache") ? routeCache(f.section("cache", "enabled", "default_ttl",
          "max_object_size", "key_headers", "ignore_query_params", "keep_query_params", "sort_query", "bypass",
          "heuristic", "adaptive_ttl", "refresh_ahead")) : null;
      out.add(new RouteSpec(name, listener, match, split, rewrite, f.string("host_rewrite", null),
          headerMutation(f.section("request_headers", "set", "add", "remove")),
          headerMutation(f.section("response_headers", "set", "add", "remove")),
          timeout, idle, retry, cache,
          f.has("rate_limit") ? rateLimit(f.section("rate_limit", "requests", "per", "burst")) : null));
    }
    return List.copyOf(out);
  }

  private RateLimitSpec rateLimit(Fields f) {
    if (!f.has("requests")) f.error("requests", "is required");
    int requests = f.integer("requests", 1, 1, 1_000_000_000);
    Duration per = f.duration("per", RateLimitSpec.DEFAULT_PER, false);
    int burst = f.integer("burst", requests, 1, 1_000_000_000);
    return new RateLimitSpec(requests, per, burst);
  }

  private List<RouteSpec.WeightedCluster> split(Fields f, Set<String> clusterNames) {
    List<RouteSpec.WeightedCluster> split = new ArrayList<>();
    if (f.has("cluster") && f.has("split")) {
      f.error("split", "give either cluster or split, not both");
    }
    if (f.has("cluster")) {
      String cluster = f.string("cluster", "");
      if (!clusterNames.contains(cluster)) f.error("cluster", "no cluster named '" + cluster + "'");
      split.add(new RouteSpec.WeightedCluster(cluster, 100));
    } else if (f.has("split")) {
      for (YamlNode item : f.list("split")) {
        Fields s = Fields.of(item, errors, "cluster", "weight");
        String cluster = s.requiredString("cluster");
        if (!cluster.isEmpty() && !clusterNames.contains(cluster)) {
          s.error("cluster", "no cluster named '" + cluster + "'");
        }
        if (!s.has("weight")) s.error("weight", "is required");
        int weight = s.integer("weight", 1, 0, 1_000_000);
        split.add(new RouteSpec.WeightedCluster(cluster, weight));
      }
      if (!split.isEmpty() && split.stream().mapToInt(RouteSpec.WeightedCluster::weight).sum() == 0) {
        f.error("split", "weights must not all be 0");
      }
      if (f.list("split").isEmpty()) f.error("split", "must name at least one cluster");
    } else {
      f.error("cluster", "is required (or split)");
    }
    return List.copyOf(split);
  }

  private RouteMatchSpec match(Fields f) {
    List<String> hosts = new ArrayList<>(f.strings("hosts"));
    hosts.addAll(f.strings("host"));
    hosts.replaceAll(h -> h.toLowerCase());
    String exact = f.string("path_exact", f.string("path", null));
    String prefix = f.string("path_prefix", null);
    Pattern regex = null;
    if (f.has("path_regex")) {
      try {
        regex = Pattern.compile(f.string("path_regex", ""));
      } catch (PatternSyntaxException e) {
        f.error("path_regex", "invalid regular expression: " + e.getDescription());
      }
    }
    int pathConditions = (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (f.has("path_regex") ? 1 : 0);
    if (pathConditions > 1) {
      f.error("path_prefix", "give only one of path_exact, path_prefix, path_regex");
    }
    for (String p : new String[] {exact, prefix}) {
      if (p != null && !p.startsWith("/")) f.error(exact == p ? "path_exact" : "path_prefix", "must start with /");
    }
    Set<String> methods = new LinkedHashSet<>();
    for (String m : f.strings("methods")) {
      String upper = m.toUpperCase();
      if (!METHOD.matcher(upper).matches()) f.error("methods", "'" + m + "' is not an HTTP method");
      methods.add(upper);
    }
    return new RouteMatchSpec(List.copyOf(hosts), exact, prefix, regex, Set.copyOf(methods),
        valueMatches(f, "headers", true), valueMatches(f, "query", false));
  }

  private List<ValueMatchSpec> valueMatches(Fields parent, String key, boolean headers) {
    YamlNode node = parent.raw(key);
    if (node == null || node.isNull()) return List.of();
    if (!node.isMap()) {
      parent.error(node, "must be a map of name to condition");
      return List.of();
    }
    List<ValueMatchSpec> out = new ArrayList<>();
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      String name = headers ? e.getKey().toLowerCase() : e.getKey();
      if (headers && !HEADER_NAME.matcher(name).matches()) {
        parent.error(e.getValue(), "'" + e.getKey() + "' is not a valid header name");
      }
      YamlNode cond = e.getValue();
      if (cond.isScalar()) {
        out.add(new ValueMatchSpec(name, ValueMatchSpec.Kind.EXACT, cond.scalar(), null, false));
        continue;
      }
      Fields c = Fields.of(cond, errors, "exact", "prefix", "suffix", "contains", "regex", "present", "invert");
      boolean invert = c.bool("invert", false);
      List<ValueMatchSpec> kinds = new ArrayList<>();
      for (String k : List.of("exact", "prefix", "suffix", "contains")) {
        if (c.has(k)) {
          kinds.add(new ValueMatchSpec(name, ValueMatchSpec.Kind.valueOf(k.toUpperCase()), c.string(k, ""), null, invert));
        }
      }
      if (c.has("regex")) {
        try {
          kinds.add(new ValueMatchSpec(name, ValueMatchSpec.Kind.REGEX, null, Pattern.compile(c.string("regex", "")), invert));
        } catch (PatternSyntaxException ex) {
          c.error("regex", "invalid regular expression: " + ex.getDescription());
        }
      }
      if (c.has("present")) {
        boolean present = c.bool("present", true);
        kinds.add(new ValueMatchSpec(name, present ? ValueMatchSpec.Kind.PRESENT : ValueMatchSpec.Kind.ABSENT, null, null, invert));
      }
      if (kinds.size() != 1) {
        c.error(cond, "give exactly one of exact, prefix, suffix, contains, regex, present");
      } else {
        out.add(kinds.get(0));
      }
    }
    return List.copyOf(out);
  }

  private HeaderMutationSpec headerMutation(Fields f) {
    Map<String, String> set = new LinkedHashMap<>();
    for (String key : List.of("set", "add")) {
      YamlNode node = f.raw(key);
      if (node == null || node.isNull()) continue;
      if (!node.isMap()) {
        f.error(node, "must be a map of header name to value");
        continue;
      }
      node.entries().forEach((name, value) -> {
        if (!HEADER_NAME.matcher(name).matches()) f.error(value, "'" + name + "' is not a valid header name");
        else if (!value.isScalar()) f.error(value, "must be text");
        else set.put(name.toLowerCase(), value.scalar());
      });
    }
    List<String> remove = new ArrayList<>();
    for (String name : f.strings("remove")) remove.add(name.toLowerCase());
    return set.isEmpty() && remove.isEmpty() ? HeaderMutationSpec.NONE
        : new HeaderMutationSpec(Map.copyOf(set), List.copyOf(remove));
  }

  private RetrySpec retry(Fields f) {
    List<String> on = f.strings("on");
    for (String condition : on) {
      if (!RetrySpec.CONDITIONS.contains(condition)) {
        f.error("on", "unknown retry condition '" + condition + "' (expected: "
            + String.join(", ", RetrySpec.CONDITIONS) + ")");
      }
    }
    List<Integer> codes = new ArrayList<>();
    for (String code : f.strings("retriable_status_codes")) {
      try {
        int c = Integer.parseInt(code.trim());
        if (c < 100 || c > 599) throw new NumberFormatException();
        codes.add(c);
      } catch (NumberFormatException e) {
        f.error("retriable_status_codes", "'" + code + "' is not an HTTP status code");
      }
    }
    return new RetrySpec(on.isEmpty() ? List.of("connect-failure", "reset") : on,
        f.integer("attempts", 1, 0, 10),
        f.duration("per_try_timeout", null, false),
        List.copyOf(codes),
        f.bool("non_idempotent", false),
        f.duration("backoff_base", RetrySpec.DEFAULT_BACKOFF_BASE, false),
        f.duration("backoff_max", Duration.ofMillis(250), false),
        f.size("max_buffered_body", RetrySpec.DEFAULT_MAX_BUFFERED_BODY));
  }

  private RouteCacheSpec routeCache(Fields f) {
    if (f.has("ignore_query_params") && f.has("keep_query_params")) {
      f.error("keep_query_params", "give either ignore_query_params or keep_query_params");
    }
    Fields bypass = f.section("bypass", "path_prefixes", "request_headers");
    for (String prefix : bypass.strings("path_prefixes")) {
      if (!prefix.startsWith("/")) bypass.error("path_prefixes", "'" + prefix + "' must start with /");
    }
    return new RouteCacheSpec(f.bool("enabled", true),
        f.duration("default_ttl", Duration.ZERO, true),
        f.size("max_object_size", RouteCacheSpec.DEFAULT_MAX_OBJECT_SIZE),
        f.strings("key_headers"), f.strings("ignore_query_params"), f.strings("keep_query_params"),
        f.bool("sort_query", true), bypass.strings("path_prefixes"), bypass.strings("request_headers"),
        f.bool("heuristic", true), f.bool("adaptive_ttl", false), f.bool("refresh_ahead", false));
  }

  private List<YamlNode> faults(Fields root) {
    List<YamlNode> faults = root.list("faults");
    for (YamlNode fault : faults) {
      if (!fault.isMap()) {
        root.error(fault, "must be a map (one fault rule)");
      }
    }
    return faults;
  }

  private CacheSpec cache(Fields f) {
    Fields l1 = f.section("l1", "max_size", "max_heap");
    long maxSize = l1.size("max_size", CacheSpec.DEFAULT_L1_MAX_SIZE);
    long maxHeap = l1.size("max_heap", 0);
    String l2 = url(f.section("l2", "redis"), "redis", "redis", "rediss");
    return new CacheSpec(maxSize, maxHeap, l2, f.string("tag_header", "surrogate-key"));
  }

  private PredictorSpec predictor(Fields f) {
    Fields peers = f.section("peers", "redis", "static", "publish_every", "advertise");
    Fields scaling = f.section("scaling", "target_utilization", "min_replicas", "max_replicas", "cooldown");
    Fields anomaly = f.section("anomaly", "alert_threshold");
    int min = scaling.integer("min_replicas", 1, 0, 100_000);
    int max = scaling.integer("max_replicas", 100, 1, 100_000);
    if (max < min) scaling.error("max_replicas", "must be at least min_replicas (" + min + ")");
    List<String> staticPeers = peers.strings("static");
    for (String peer : staticPeers) {
      if (!peer.startsWith("http://") && !peer.startsWith("https://")) {
        peers.error("static", "'" + peer + "' is not an http:// URL of a peer's control API");
      }
    }
    return new PredictorSpec(url(peers, "redis", "redis", "rediss"), staticPeers,
        peers.duration("publish_every", Duration.ofSeconds(1), false), address(peers, "advertise", null),
        scaling.number("target_utilization", 0.7, 0.01, 1.0), min, max,
        scaling.duration("cooldown", Duration.ofMinutes(5), true),
        anomaly.number("alert_threshold", 0.9, 0.0, 1.0));
  }

  /** A URL whose scheme must be one of {@code schemes}; null when absent. */
  private String url(Fields f, String key, String... schemes) {
    String url = f.string(key, null);
    if (url == null || url.isBlank()) return null;
    for (String scheme : schemes) {
      if (url.startsWith(scheme + "://")) return url;
    }
    f.error(key, "must be a " + schemes[0] + ":// URL");
    return null;
  }
}
