package io.sidecar.proxy;

import io.sidecar.config.RouteMatchSpec;
import io.sidecar.config.RouteSpec;
import io.sidecar.config.ValueMatchSpec;
import java.util.List;

/** The routes of one listener in file order; the first whose match holds wins. Immutable. */
public final class RouteTable {
  private final RoutingSnapshot.CompiledRoute[] routes;

  public RouteTable(List<RoutingSnapshot.CompiledRoute> routes) {
    this.routes = routes.toArray(new RoutingSnapshot.CompiledRoute[0]);
  }

  /** The first matching route, or null (the caller answers 404 NR). */
  public RoutingSnapshot.CompiledRoute match(RequestFacts request) {
    for (RoutingSnapshot.CompiledRoute route : routes) {
      if (matches(route.spec().match(), request)) return route;
    }
    return null;
  }

  static boolean matches(RouteMatchSpec m, RequestFacts r) {
    if (!m.methods().isEmpty() && !m.methods().contains(r.method())) return false;
    if (!m.hosts().isEmpty() && !hostMatches(m.hosts(), r.host())) return false;
    String path = r.path();
    if (m.pathExact() != null && !m.pathExact().equals(path)) return false;
    if (m.pathPrefix() != null && !path.startsWith(m.pathPrefix())) return false;
    if (m.pathRegex() != null && !m.pathRegex().matcher(path).matches()) return false;
    for (ValueMatchSpec h : m.headers()) {
      if (!h.test(r.header(h.name()))) return false;
    }
    for (ValueMatchSpec q : m.query()) {
      if (!q.test(r.queryParam(q.name()))) return false;
    }
    return true;
  }

  /** Exact host, or {@code *.example.com} for any subdomain of example.com. */
  static boolean hostMatches(List<String> hosts, String host) {
    if (host == null) return false;
    for (String pattern : hosts) {
      if (pattern.startsWith("*.")) {
        int suffix = pattern.length() - 1; // ".example.com"
        if (host.length() > suffix && host.regionMatches(host.length() - suffix, pattern, 1, suffix)) return true;
      } else if (pattern.equals(host)) {
        return true;
      }
    }
    return false;
  }
}
