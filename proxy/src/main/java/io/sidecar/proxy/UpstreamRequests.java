package io.sidecar.proxy;

import io.sidecar.config.HeaderMutationSpec;
import io.sidecar.config.HostPort;
import io.sidecar.config.RouteSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/** Builds what goes upstream for a downstream request: URI rewrite, header hygiene, forwarding headers. */
final class UpstreamRequests {
  static final String VIA_PSEUDONYM = "sidecar";

  private UpstreamRequests() {}

  /** What the forwarding headers say about the downstream side, captured once (it outlives the request). */
  record Forwarding(String clientAddress, String scheme, HostAndPort authority, HttpVersion version) {
    static Forwarding of(HttpServerRequest request) {
      return new Forwarding(request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
          request.scheme() == null ? "http" : request.scheme(), request.authority(), request.version());
    }
  }

  /** {@code normalizePath}: {@code server.normalize_path} ({@link RequestPaths}). */
  static RequestOptions options(HttpServerRequest request, RouteSpec route, HostPort endpoint, String serverName,
                                boolean normalizePath) {
    String query = request.query();
    String path = RequestPaths.of(request, normalizePath);
    return options(request.method(), query == null ? path : path + "?" + query, route, endpoint, serverName);
  }

  /**
   * Upstream request options: method, endpoint, rewritten URI, idle timeout. No headers: {@link #writeHeaders}
   * writes them into the request once it exists. Headers set on the options are copied into the request by Vert.x,
   * one more copy of every header per request. {@code serverName}: the cluster's {@code tls.sni}, or null.
   */
  static RequestOptions options(HttpMethod method, String pathAndQuery, RouteSpec route, HostPort endpoint,
                                String serverName) {
    RequestOptions options = target(new RequestOptions(), endpoint, serverName)
        .setMethod(method)
        .setURI(rewriteUri(pathAndQuery, route));
    // The route's total timeout (a timer of the exchange) ends every request; an idle timeout as long or longer
    // (the default: 5 min against 15 s) could never fire first, so it would only add a timer per request. Without a
    // route timeout the idle timeout is what ends a silent stream.
    if (!route.hasTimeout() || route.idleTimeout().compareTo(route.timeout()) < 0) {
      options.setIdleTimeout(route.idleTimeout().toMillis());
    }
    return options;
  }

  /**
   * Where a request goes: the endpoint's address. With a TLS server name (a cluster's {@code tls.sni}) the
   * connection still goes to the endpoint, but that name is sent as SNI (RFC 6066 §3) and is the name the upstream's
   * certificate is verified against (RFC 9110 §4.3.4), as Envoy's {@code sni}: endpoints given as IP addresses can
   * then present a certificate for the service's DNS name.
   */
  static RequestOptions target(RequestOptions options, HostPort endpoint, String serverName) {
    if (serverName == null) return options.setHost(endpoint.host()).setPort(endpoint.port());
    return options.setServer(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()))
        .setHost(serverName).setPort(endpoint.port());
  }

  /** The upstream request's headers: the downstream's end-to-end ones, forwarding headers, the route's rules. */
  static void writeHeaders(MultiMap source, Forwarding forwarding, RouteSpec route, MultiMap target) {
    HopByHopHeaders.copyEndToEnd(source, target);
    target.remove("host");
    target.remove("expect");
    addForwarded(forwarding, target);
    apply(route.requestHeaders(), target);
  }

  /** The Host the upstream sees: the route's host_rewrite, else the client's, else the endpoint address. */
  static HostAndPort authority(HostAndPort original, RouteSpec route, HostPort endpoint) {
    if (route.hostRewrite() != null) return HostAndPort.parseAuthority(route.hostRewrite(), -1);
    return original != null ? original : HostAndPort.create(endpoint.host(), endpoint.port());
  }

  static HostAndPort authority(HttpServerRequest request, RouteSpec route, HostPort endpoint) {
    return authority(request.authority(), route, endpoint);
  }

  /**
   * {@code TE: trailers} goes on to an HTTP/2 upstream when the client sent it (RFC 9113 §8.2.2 lets TE through on
   * HTTP/2 with that one value; RFC 9110 §10.1.4: the client will accept trailer fields). gRPC servers check it to
   * know trailers (where the call's status is) will reach the client, as they do through this proxy; other TE
   * values are hop-by-hop and stay dropped. Not to HTTP/1.1 upstreams, where TE would have to be named in
   * Connection and gRPC cannot run anyway.
   */
  static void forwardTeTrailers(MultiMap source, HttpVersion upstreamVersion, MultiMap target) {
    if (upstreamVersion != HttpVersion.HTTP_2 || !source.contains("te")) return;
    for (String value : source.getAll("te")) {
      if (HopByHopHeaders.listHas(value, "trailers")) {
        target.set("te", "trailers");
        return;
      }
    }
  }

  /** Replaces the route's matched path_prefix with its rewrite_prefix; the query is kept as is. */
  static String rewriteUri(String pathAndQuery, RouteSpec route) {
    String prefix = route.match().pathPrefix();
    if (route.rewritePrefix() == null || prefix == null || !pathAndQuery.startsWith(prefix)) return pathAndQuery;
    String rest = pathAndQuery.substring(prefix.length());
    String replacement = route.rewritePrefix();
    if (replacement.endsWith("/") && rest.startsWith("/")) rest = rest.substring(1);
    String rewritten = replacement + rest;
    return rewritten.isEmpty() || rewritten.startsWith("?") ? "/" + rewritten : rewritten;
  }

  /** X-Forwarded-For (appended), X-Forwarded-Proto, X-Forwarded-Host and Via (RFC 9110 §7.6.3). */
  static void addForwarded(Forwarding forwarding, MultiMap headers) {
    String client = forwarding.clientAddress();
    if (client != null) headers.set("x-forwarded-for", appended(headers.get("x-forwarded-for"), client));
    headers.set("x-forwarded-proto", forwarding.scheme());
    HostAndPort authority = forwarding.authority();
    if (authority != null && !headers.contains("x-forwarded-host")) {
      headers.set("x-forwarded-host", authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host());
    }
    appendVia(headers, forwarding.version());
  }

  static void appendVia(MultiMap headers, HttpVersion version) {
    headers.set("via", appended(headers.get("via"), viaEntry(version)));
  }

  /** This proxy's Via entry for a message received in {@code version} (RFC 9110 §7.6.3). */
  static String viaEntry(HttpVersion version) {
    return version == HttpVersion.HTTP_2 ? VIA_2 : version == HttpVersion.HTTP_1_0 ? VIA_1_0 : VIA_1_1;
  }

  private static final String VIA_1_0 = "1.0 " + VIA_PSEUDONYM;
  private static final String VIA_1_1 = "1.1 " + VIA_PSEUDONYM;
  private static final String VIA_2 = "2 " + VIA_PSEUDONYM;

  /** A list-valued field (X-Forwarded-For, Via) with {@code value} appended to what it held ({@code prior}, or null). */
  static String appended(String prior, String value) {
    return prior == null ? value : prior + ", " + value;
  }

  static void apply(HeaderMutationSpec mutation, MultiMap headers) {
    if (mutation.isEmpty()) return;
    mutation.remove().forEach(headers::remove);
    mutation.set().forEach(headers::set);
  }
}
