package io.sidecar.proxy;

import io.sidecar.config.RouteSpec;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Entry of the data plane for one listener: matches the route, picks the cluster of the split and the
 * endpoint, and hands the request to an {@link Exchange} (or a {@link WebSocketTunnel}) that streams it.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {
  private final ProxyRuntime runtime;
  private final String listener;
  private final long maxRequestBody;
  private final boolean byteLevel;
  /** HTTP/2 requests relayed over the byte-level path's upstream pool; null without {@code byteLevel}. */
  private final io.micrometer.core.instrument.Counter http2ByteLevel;
  private final boolean generateRequestId;

  /**
   * {@code byteLevel}: {@code server.fast_path}; with it, HTTP/2 requests to HTTP/1.1 clusters go over the byte-level
   * path's upstream pool ({@link Http2RawExchange}).
   */
  public ProxyHandler(ProxyRuntime runtime, String listener, long maxRequestBody, boolean generateRequestId,
                      boolean byteLevel) {
    this.byteLevel = byteLevel;
    this.http2ByteLevel = byteLevel ? runtime.metrics().fastPath(listener).http2Requests() : null;
    this.runtime = runtime;
    this.listener = listener;
    this.maxRequestBody = maxRequestBody;
    this.generateRequestId = generateRequestId;
  }

  @Override
  public void handle(HttpServerRequest request) {
    // A request pipelined behind one whose response closes the connection: read, never served (RFC 9112 §9.6).
    if (Exchange.onClosingConnection(request)) return;
    long startNanos = System.nanoTime();
    if (request.version() == HttpVersion.HTTP_1_0) Http10Responses.installOn(request.connection());
    Draining.closeWhenDraining(request);
    // Set on the request itself: the upstream request, retries, cache fills and the access log all copy it from there.
    if (generateRequestId && !request.headers().contains(RequestIds.HEADER)) {
      request.headers().set(RequestIds.HEADER, RequestIds.random());
    }
    String method = request.method().name();
    String violation = RequestConformance.isConnect(method) ? RequestConformance.connectViolation(connectTarget(request))
        : request.version() == HttpVersion.HTTP_2 ? RequestConformance.targetViolation(request.uri(), method, true)
        : admitHttp1(request, method);
    if (violation != null) {
      runtime.metrics().badRequest(listener);
      // RFC 9112 §6.1: a transfer coding the server does not understand is 501 (Not Implemented); so is CONNECT here
      int status = violation == RequestConformance.UNKNOWN_TRANSFER_CODING
          || violation == RequestConformance.CONNECT_UNSUPPORTED ? 501 : 400;
      answerUnrouted(request, ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, status, violation, startNanos);
      return;
    }
    RoutingSnapshot snapshot = runtime.snapshot();
    RouteTable table = snapshot.table(listener);
    RequestFacts facts = new VertxRequestFacts(request, RequestPaths.on(runtime));
    RoutingSnapshot.CompiledRoute compiled = table == null ? null : table.match(facts);
    if (compiled == null) {
      runtime.metrics().noRoute(listener);
      answerUnrouted(request, ResponseFlag.NO_ROUTE, "no route for " + request.method() + " " + request.path(), startNanos);
      return;
    }
    RouteSpec route = compiled.spec();
    io.sidecar.fault.FaultRegistry faults = runtime.faults();
    PinnedFault pinned = faults == null ? null : PinnedFault.take(request);
    if (pinned != null && pinned.route() != compiled) pinned = null; // a reload came between: decide afresh
    RoutingSnapshot.SplitTarget target = pinned != null ? pinned.target() : compiled.pick();
    UpstreamCluster cluster = target.cluster();
    String clusterName = cluster.name();
    ProxyMetrics.RouteMeters meters = target.meters();
    if (compiled.rateLimit() != null) {
      io.sidecar.balancer.limit.RateLimit.Decision decision = compiled.rateLimit().tryAcquire(startNanos);
      if (!decision.allowed()) {
        // RFC 9110 §10.2.3: whole seconds, rounded up so a client that waits that long finds a token
        request.response().putHeader(HttpHeaders.RETRY_AFTER,
            Long.toString(Math.max(1, (decision.retryAfterNanos() + 999_999_999L) / 1_000_000_000L)));
        answerOnRoute(request, route, clusterName, meters, ResponseFlag.RATE_LIMITED,
            "route " + route.name() + " is over its rate limit", startNanos);
        return;
      }
    }
    String contentLength = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (contentLength != null && parseLength(contentLength) > maxRequestBody) {
      answerOnRoute(request, route, clusterName, meters, ResponseFlag.REQUEST_BODY_TOO_LARGE,
          "request body exceeds " + maxRequestBody + " bytes", startNanos);
      return;
    }
    if (WebSocketTunnel.isUpgrade(request)) {
      new WebSocketTunnel(runtime, request, route, cluster, meters, startNanos).start();
      return;
    }
    if (faults != null) {
      io.sidecar.fault.FaultDecision decision = pinned != null ? pinned.decision()
          : faults.decide(new FaultView(route.name(), clusterName, facts));
      if (!decision.isNoFault()) {
        new FaultStage(runtime, request, compiled, cluster, meters, startNanos, decision).run(
            injectedUnavailable -> forward(request, compiled, cluster, meters, startNanos, injectedUnavailable, decision));
        return;
      }
    }
    forward(request, compiled, cluster, meters, startNanos, false, null);
  }

  /** A CONNECT's target: the request-target on HTTP/1.x, {@code :authority} on HTTP/2 (RFC 9113 §8.5). */
  private static String connectTarget(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) return request.uri();
    io.vertx.core.net.HostAndPort authority = request.authority();
    return authority == null ? null : authority.toString();
  }

  /**
   * Why an HTTP/1.x request is refused (400), or null once it is admitted. Checks the Host rules Netty's decoder
   * leaves to the server (RFC 9112 §3.2), and on admission normalises what Vert.x reads differently: an absolute-form
   * target's authority replaces Host (§3.2.2) before anything reads it, so routing, the upstream's Host and
   * X-Forwarded-Host all see the same; a {@code close} inside a Connection list ends the connection after the
   * response (§9.6), which Vert.x would miss.
   */
  private static String admitHttp1(HttpServerRequest request, String method) {
    String uri = request.uri();
    String invalid = RequestConformance.targetViolation(uri, method, false);
    if (invalid == null) invalid = RequestConformance.fieldViolation(request.headers());
    if (invalid != null) return invalid;
    boolean absoluteForm = RequestConformance.isAbsoluteForm(uri);
    String hostViolation = RequestConformance.hostViolation(request.version() == HttpVersion.HTTP_1_1,
        request.headers().getAll(HttpHeaders.HOST), absoluteForm);
    if (hostViolation != null) return hostViolation;
    if (absoluteForm) {
      String authority = RequestConformance.absoluteFormAuthority(uri);
      if (authority == null) return "invalid absolute-form request target";
      request.headers().set(HttpHeaders.HOST, authority);
    }
    if (request.version() == HttpVersion.HTTP_1_1 && RequestConformance.listsClose(request.getHeader(HttpHeaders.CONNECTION))) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
      Exchange.closeAfterResponse(request);
    }
    // An upgrade is tunnelled with its head only: a body would stay unread in front of the upstream's next request
    // (Content-Length forwarded, no body), or be dropped (chunked). RFC 9110 §7.8 lets a server ignore Upgrade;
    // refusing is the one reading nobody can take another way.
    if (WebSocketTunnel.isUpgrade(request) && hasBody(request)) return "an Upgrade request with a body";
    if (request.version() == HttpVersion.HTTP_1_0 && hasBody(request)) {
      // Netty takes the first of several Content-Length values in HTTP/1.0 (RFC 9112 §6.3 item 5 calls them invalid,
      // and the server cannot see them any more): the body's end may be a guess, so nothing after it is read as a
      // request. HTTP/1.0 keep-alive with a body is rare; Envoy refuses HTTP/1.0 by default.
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
      Exchange.closeAfterResponse(request);
    }
    return null;
  }

  /** HTTP/1.x: Content-Length other than 0, or Transfer-Encoding (RFC 9112 §6.3). */
  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length != null ? !length.trim().equals("0") : request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** The sidecar's own answer to a request on a route, before any upstream: counted and logged as the route's. */
  private void answerOnRoute(HttpServerRequest request, RouteSpec route, String cluster, ProxyMetrics.RouteMeters meters,
                             ResponseFlag flag, String detail, long startNanos) {
    meters.started();
    Exchange.replyLocal(request, flag, detail);
    EarlyAnswerReset.ifRequestUnfinished(request);
    long nanos = System.nanoTime() - startNanos;
    meters.finished(flag.status(), flag, nanos);
    AccessLog log = runtime.accessLog();
    if (log != null) log.log(request, route.name(), cluster, null, flag.status(), flag, nanos, 0);
  }

  /** The sidecar's own answer to a request that reached no route, with its access-log line. */
  private void answerUnrouted(HttpServerRequest request, ResponseFlag flag, String detail, long startNanos) {
    answerUnrouted(request, flag, flag.status(), detail, startNanos);
  }

  private void answerUnrouted(HttpServerRequest request, ResponseFlag flag, int status, String detail, long startNanos) {
    Exchange.replyLocal(request, flag, status, detail);
    EarlyAnswerReset.ifRequestUnfinished(request);
    AccessLog log = runtime.accessLog();
    if (log != null) {
      log.log(request, null, null, null, status, flag, System.nanoTime() - startNanos, 0);
    }
  }

  private void forward(HttpServerRequest request, RoutingSnapshot.CompiledRoute compiled, UpstreamCluster cluster,
                       ProxyMetrics.RouteMeters meters, long startNanos, boolean injectedUnavailable,
                       io.sidecar.fault.FaultDecision faults) {
    boolean responseFaults = faults != null && (faults.patch() != null || faults.shape() != null
        || faults.responseDelayNanos() > 0);
    if (compiled.cache() != null && runtime.cache() != null && !injectedUnavailable && !responseFaults) {
      new CachingExchange(runtime, request, compiled, cluster, meters, startNanos).start(runtime.cache(), compiled.cache());
      return;
    }
    if (byteLevel && !injectedUnavailable && faults == null && Http2RawExchange.serves(request, compiled, cluster, runtime)) {
      http2ByteLevel.increment();
      new Http2RawExchange(runtime, request, compiled, cluster, meters, maxRequestBody, startNanos).start();
      return;
    }
    new Exchange(runtime, request, compiled, cluster, meters, maxRequestBody, startNanos).start(injectedUnavailable, faults);
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
