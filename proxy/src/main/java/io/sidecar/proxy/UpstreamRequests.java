package io.sidecar.proxy;

import io.sidecar.config.HeaderMutationSpec;
import io.sidecar.config.RouteSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;

/** Builds what goes upstream for a downstream request: URI rewrite, header hygiene, forwarding headers. */
final class UpstreamRequests {
  static final String VIA_PSEUDONYM = "sidecar";

  private UpstreamRequests() {}

  static RequestOptions options(HttpServerRequest request, RouteSpec route, io.sidecar.config.HostPort endpoint) {
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setHost(endpoint.host())
        .setPort(endpoint.port())
        .setURI(rewriteUri(request, route))
        .setIdleTimeout(route.idleTimeout().toMillis());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    HopByHopHeaders.strip(headers);
    headers.remove("host");
    headers.remove("expect");
    addForwarded(request, headers);
    apply(route.requestHeaders(), headers);
    options.setHeaders(headers);
    return options;
  }

  /** The Host the upstream sees: the route's host_rewrite, else the client's, else the endpoint address. */
  static HostAndPort authority(HttpServerRequest request, RouteSpec route, io.sidecar.config.HostPort endpoint) {
    if (route.hostRewrite() != null) return HostAndPort.parseAuthority(route.hostRewrite(), -1);
    HostAndPort original = request.authority();
    return original != null ? original : HostAndPort.create(endpoint.host(), endpoint.port());
  }

  static String rewriteUri(HttpServerRequest request, RouteSpec route) {
    String path = request.path() == null ? "/" : request.path();
    String prefix = route.match().pathPrefix();
    if (route.rewritePrefix() != null && prefix != null && path.startsWith(prefix)) {
      String rest = path.substring(prefix.length());
      String replacement = route.rewritePrefix();
      if (replacement.endsWith("/") && rest.startsWith("/")) rest = rest.substring(1);
      path = replacement + rest;
      if (path.isEmpty()) path = "/";
    }
    String query = request.query();
    return query == null ? path : path + "?" + query;
  }

  /** X-Forwarded-For (appended), X-Forwarded-Proto, X-Forwarded-Host and Via (RFC 9110 §7.6.3). */
  static void addForwarded(HttpServerRequest request, MultiMap headers) {
    String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (client != null) {
      String prior = headers.get("x-forwarded-for");
      headers.set("x-forwarded-for", prior == null ? client : prior + ", " + client);
    }
    headers.set("x-forwarded-proto", request.scheme() == null ? "http" : request.scheme());
    HostAndPort authority = request.authority();
    if (authority != null && !headers.contains("x-forwarded-host")) {
      headers.set("x-forwarded-host", authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host());
    }
    appendVia(headers, request.version());
  }

  static void appendVia(MultiMap headers, HttpVersion version) {
    String protocol = version == HttpVersion.HTTP_2 ? "2" : version == HttpVersion.HTTP_1_0 ? "1.0" : "1.1";
    String prior = headers.get("via");
    String ours = protocol + " " + VIA_PSEUDONYM;
    headers.set("via", prior == null ? ours : prior + ", " + ours);
  }

  static void apply(HeaderMutationSpec mutation, MultiMap headers) {
    if (mutation.isEmpty()) return;
    mutation.remove().forEach(headers::remove);
    mutation.set().forEach(headers::set);
  }
}
