package io.sidecar.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings the sidecar reads once, when it starts: its identity, the admin and Toxiproxy API addresses, the
 * listeners' server options, the cache, the predictor, the history store and the fault-injection settings and TCP
 * proxies of the file. A reload that changes them is accepted (routes, clusters, faults and listeners change at
 * once) and says which of them wait for a restart, instead of leaving the operator to believe they apply.
 * {@code server.shutdown_grace} and {@code admin.token} are read when used, so they apply at once.
 */
public final class StartupSettings {
  private StartupSettings() {}

  /** The paths whose value in {@code next} differs from the one the process started with. */
  public static List<String> pendingRestart(SidecarConfig started, SidecarConfig next) {
    List<String> out = new ArrayList<>();
    differs(out, "service", started.service(), next.service());
    differs(out, "instance", started.instance(), next.instance());
    differs(out, "admin.address", started.admin().address(), next.admin().address());
    ServerSpec a = started.server();
    ServerSpec b = next.server();
    differs(out, "server.max_header_size", a.maxHeaderSize(), b.maxHeaderSize());
    differs(out, "server.max_request_body", a.maxRequestBody(), b.maxRequestBody());
    differs(out, "server.access_log", a.accessLog(), b.accessLog());
    differs(out, "server.event_loops", a.eventLoops(), b.eventLoops());
    differs(out, "server.transport", a.transport(), b.transport());
    differs(out, "server.fast_path", a.fastPath(), b.fastPath());
    differs(out, "server.idle_timeout", a.idleTimeout(), b.idleTimeout());
    differs(out, "server.generate_request_id", a.generateRequestId(), b.generateRequestId());
    differs(out, "server.reuse_port", a.reusePort(), b.reusePort());
    differs(out, "server.request_header_timeout", a.requestHeaderTimeout(), b.requestHeaderTimeout());
    differs(out, "server.max_connections", a.maxConnections(), b.maxConnections());
    differs(out, "cache", started.cache(), next.cache());
    differs(out, "predictor", started.predictor(), next.predictor());
    differs(out, "storage", started.storage(), next.storage());
    differs(out, "toxiproxy_api", started.toxiproxyApi(), next.toxiproxyApi());
    differs(out, "fault_injection", plain(started.faultInjection()), plain(next.faultInjection()));
    differs(out, "tcp_proxies", plain(started.tcpProxies()), plain(next.tcpProxies()));
    return List.copyOf(out);
  }

  private static void differs(List<String> out, String path, Object started, Object next) {
    if (!Objects.equals(started, next)) out.add(path);
  }

  private static Object plain(YamlNode node) {
    return node == null ? null : node.toPlain();
  }
}
