package io.sidecar.config;

import java.io.File;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a {@link SidecarConfig} from a {@link YamlNode} tree, collecting every error with its path and line.
 * Cross-references (route to listener, route to cluster) are checked after every section is read. Clusters and
 * routes have parsers of their own ({@link ClusterSectionParser}, {@link RouteSectionParser}); the checks they
 * share (names, addresses, files, enumerations) are here.
 */
public final class ConfigParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

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
        "access_log", "event_loops", "transport", "fast_path", "idle_timeout", "generate_request_id", "reuse_port",
        "normalize_path", "request_header_timeout", "max_connections"));
    List<ListenerSpec> listeners = listeners(f, admin);
    List<ClusterSpec> clusters = new ClusterSectionParser(this, errors).clusters(f);
    List<RouteSpec> routes = new RouteSectionParser(this, errors).routes(f, listeners, clusters);
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
   * loopback), absent = off. Its address may not overlap the admin API's or a listener's (see {@link ServerAddresses}).
   */
  private ToxiproxyApiSpec toxiproxyApi(Fields root, AdminSpec admin, List<ListenerSpec> listeners) {
    if (!root.has("toxiproxy_api")) return null;
    Fields f = root.section("toxiproxy_api", "address");
    HostPort address = address(f, "address", ToxiproxyApiSpec.DEFAULT_ADDRESS);
    String user = ServerAddresses.holder(address, admin, listeners, null);
    if (user != null) f.error("address", user);
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
        f.bool("generate_request_id", true), f.bool("reuse_port", true), f.bool("normalize_path", true),
        f.duration("request_header_timeout", ServerSpec.DEFAULT_REQUEST_HEADER_TIMEOUT, true),
        f.has("max_connections") && "auto".equals(f.raw("max_connections").scalar()) ? 0
            : f.integer("max_connections", 0, 1, Integer.MAX_VALUE));
  }

  HostPort address(Fields f, String key, HostPort defaultValue) {
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

  boolean checkName(Fields f, String name, Set<String> seen, String what) {
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

  private List<ListenerSpec> listeners(Fields root, AdminSpec admin) {
    List<YamlNode> items = root.list("listeners");
    if (items.isEmpty()) {
      root.error("listeners", "at least one listener is required");
    }
    List<ListenerSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : items) {
      Fields f = Fields.of(item, errors, "name", "address", "tls", "h2c");
      String name = f.requiredString("name");
      checkName(f, name, names, "listener");
      if (!f.has("address")) f.error("address", "is required");
      HostPort address = address(f, "address", null);
      String user = address == null ? null : ServerAddresses.holder(address, admin, out, null);
      if (user != null) f.error("address", user);
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
  String file(Fields f, String key, boolean required) {
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

  String oneOf(Fields f, String key, String defaultValue, List<String> allowed) {
    String value = f.string(key, defaultValue);
    if (!allowed.contains(value)) {
      f.error(key, "unknown value '" + value + "' (expected one of: " + String.join(", ", allowed) + ")");
      return defaultValue;
    }
    return value;
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
    Fields anomaly = f.section("anomaly", "alert_threshold", "recurring_days", "recurring_window_days",
        "recurring_jitter", "recurring_jitter_steps", "recurring_zone");
    int min = scaling.integer("min_replicas", 1, 0, 100_000);
    int max = scaling.integer("max_replicas", 100, 1, 100_000);
    if (max < min) scaling.error("max_replicas", "must be at least min_replicas (" + min + ")");
    List<String> staticPeers = peers.strings("static");
    for (String peer : staticPeers) {
      if (!peer.startsWith("http://") && !peer.startsWith("https://")) {
        peers.error("static", "'" + peer + "' is not an http:// URL of a peer's control API");
      }
    }
    int recurringDays = anomaly.integer("recurring_days", 3, 0, 365);
    // a week, or recurring_days when larger (a file that gave recurring_days: 10 before the window existed)
    int window = anomaly.integer("recurring_window_days", Math.max(7, recurringDays), 1, 365);
    if (window < recurringDays) {
      anomaly.error("recurring_window_days", "must be at least recurring_days (" + recurringDays + ")");
    }
    // one tolerance, in one of two forms: a duration of time of day, or (as files wrote it first) in steps
    int jitterSteps = -1;
    Duration jitter = null;
    if (anomaly.has("recurring_jitter_steps")) {
      jitterSteps = anomaly.integer("recurring_jitter_steps", 6, 0, 1440);
      if (anomaly.has("recurring_jitter")) {
        anomaly.error("recurring_jitter_steps", "give recurring_jitter (a duration, e.g. 30m) or "
            + "recurring_jitter_steps, not both");
      }
    } else {
      jitter = anomaly.duration("recurring_jitter", Duration.ofMinutes(30), true);
      if (jitter != null && jitter.compareTo(Duration.ofHours(12)) >= 0) {
        anomaly.error("recurring_jitter", "must be under 12h (half a day either side is every time of day)");
        jitter = Duration.ofMinutes(30);
      }
    }
    ZoneId zone = ZoneOffset.UTC;
    String zoneName = anomaly.string("recurring_zone", null);
    if (zoneName != null) {
      try {
        zone = ZoneId.of(zoneName.trim());
      } catch (DateTimeException e) {
        anomaly.error("recurring_zone", "'" + zoneName + "' is not a time zone (an IANA name such as Europe/Paris, "
            + "or UTC)");
      }
    }
    return new PredictorSpec(url(peers, "redis", "redis", "rediss"), staticPeers,
        peers.duration("publish_every", Duration.ofSeconds(1), false), address(peers, "advertise", null),
        scaling.number("target_utilization", 0.7, 0.01, 1.0), min, max,
        scaling.duration("cooldown", Duration.ofMinutes(5), true),
        anomaly.number("alert_threshold", 0.9, 0.0, 1.0),
        recurringDays, jitterSteps, window, jitter, zone);
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
