package io.sidecar.proxy;

import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.Pick;
import io.sidecar.cache.CacheRequest;
import io.sidecar.cache.Origin;
import io.sidecar.cache.OriginResponse;
import io.sidecar.config.HostPort;
import io.sidecar.config.RouteSpec;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

/**
 * The cache's way upstream: one balanced try per fetch (validation and background refresh included), with the
 * route's timeout, the balancer told how the call went when the body ends. The downstream body (unsafe methods
 * only) streams through once; a background refresh after the downstream request ended sends none.
 */
final class OriginFetch implements Origin {
  private final ProxyRuntime runtime;
  private final RouteSpec route;
  private final UpstreamCluster cluster;
  private final UpstreamRequests.Forwarding forwarding;
  private HttpServerRequest downstream;

  OriginFetch(ProxyRuntime runtime, RouteSpec route, UpstreamCluster cluster, HttpServerRequest downstream) {
    this.runtime = runtime;
    this.route = route;
    this.cluster = cluster;
    this.forwarding = UpstreamRequests.Forwarding.of(downstream);
    this.downstream = downstream;
  }

  @Override
  public Future<OriginResponse> fetch(CacheRequest request, MultiMap extraHeaders) {
    Pick pick = cluster.balancer().pick();
    if (!pick.isAccepted()) {
      return Future.failedFuture(new UpstreamFailure(ResponseFlag.of(pick.refusal()),
          "cluster " + cluster.name() + ": " + pick.refusal()));
    }
    EndpointCall call = new EndpointCall(pick.handle(), cluster.signals());
    HostPort address = cluster.address(call.address());
    MultiMap headers = Origin.requestHeaders(request, extraHeaders);
    RequestOptions options = UpstreamRequests.options(HttpMethod.valueOf(request.method()), request.pathAndQuery(),
        route, address, cluster.tlsServerName());
    HttpServerRequest body = takeDownstreamBody(request.method());
    long start = System.nanoTime();
    Promise<OriginResponse> result = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    LoopTimer timer = !route.hasTimeout() ? null : LoopTimer.start(runtime.vertx(), route.timeout().toMillis(), () -> {
      if (result.tryFail(new UpstreamFailure(ResponseFlag.UPSTREAM_TIMEOUT, "route timeout exceeded"))) {
        call.complete(System.nanoTime() - start, Outcome.failure(io.sidecar.balancer.FailureKind.TIMEOUT), LoadHint.NONE,
            ResponseFlag.UPSTREAM_TIMEOUT);
        if (sent[0] != null) sent[0].reset();
      }
    });
    send(options, address, headers, body, sent, 0).onComplete(ar -> {
      if (timer != null) timer.cancel();
      if (ar.failed()) {
        ResponseFlag flag = FailureClassifier.classify(ar.cause(), sent[0] != null);
        if (result.tryFail(new UpstreamFailure(flag, String.valueOf(ar.cause().getMessage())))) {
          call.complete(System.nanoTime() - start, Outcome.failure(flag.failureKind()), LoadHint.NONE, flag);
        }
        return;
      }
      var cresp = ar.result();
      long headerNanos = System.nanoTime() - start;
      int status = cresp.statusCode();
      UpstreamFailure invalid = UpstreamFailure.ofStatus(status);
      if (invalid != null) { // answered as on the uncached paths, and never stored
        cresp.request().reset();
        if (result.tryFail(invalid)) {
          call.complete(headerNanos, Outcome.failure(invalid.flag.failureKind()), LoadHint.NONE, invalid.flag);
        }
        return;
      }
      LoadHint hint = LoadHint.parseHeader(cresp.getHeader(LoadHint.HEADER));
      MultiMap responseHeaders = io.vertx.core.http.HttpHeaders.headers();
      HopByHopHeaders.copyEndToEnd(cresp.headers(), responseHeaders);
      UpstreamRequests.appendVia(responseHeaders, ResponseOverrunGuard.receivedVersion(cresp));
      cresp.pause();
      var stream = new CompletionStream(cresp,
          () -> call.complete(headerNanos, Outcome.status(status), hint, ResponseFlag.NONE),
          err -> {
            ResponseFlag flag = FailureClassifier.classify(err, true); // UR, or UPE for a malformed body
            call.complete(System.nanoTime() - start, Outcome.failure(flag.failureKind()), LoadHint.NONE, flag);
          });
      if (!result.tryComplete(new OriginResponse(status, responseHeaders, stream))) cresp.request().reset();
    });
    return result.future();
  }

  /**
   * Sends the request on a connection of the pool and gives its response; again on another connection when the one it
   * went out on, kept alive, closed before the response ({@link UpstreamResend}; the route timeout's reset fails it
   * with a stream reset, which is not sent again). {@code sent[0]}: the request last sent, which that timeout resets.
   */
  private Future<HttpClientResponse> send(RequestOptions options, HostPort address, MultiMap headers,
                                          HttpServerRequest body, HttpClientRequest[] sent, int resends) {
    boolean[] keptAlive = new boolean[1];
    HttpClientRequest[] thisOne = new HttpClientRequest[1];
    return cluster.client().request(options).compose(creq -> {
      sent[0] = creq;
      thisOne[0] = creq;
      keptAlive[0] = ResponseOverrunGuard.servedBefore(creq.connection());
      creq.exceptionHandler(ignored -> { }); // failures arrive through the response future (see Exchange)
      creq.authority(UpstreamRequests.authority(forwarding.authority(), route, address));
      UpstreamRequests.writeHeaders(headers, forwarding, route, creq.headers());
      if (body == null) {
        creq.headers().remove(HttpHeaders.CONTENT_LENGTH).remove(HttpHeaders.TRANSFER_ENCODING);
        creq.end();
      } else {
        String length = body.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) creq.setChunked(true);
        else creq.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        body.pipe().endOnFailure(false).to(creq).onFailure(err -> creq.reset());
      }
      return creq.response();
    }).recover(err -> {
      var request = new UpstreamResend.Sent(options.getMethod().name(), body != null, false, keptAlive[0],
          thisOne[0] == null ? -1 : thisOne[0].streamId());
      if (!UpstreamResend.allowed(request, resends, err)) {
        return Future.failedFuture(err);
      }
      runtime.metrics().upstreamResend(cluster.name());
      return send(options, address, headers, body, sent, resends + 1);
    });
  }

  /** The downstream request, once, when the fetch is for the downstream's own body-carrying method. */
  private HttpServerRequest takeDownstreamBody(String method) {
    HttpServerRequest request = downstream;
    if (request == null || !request.method().name().equals(method) || !CachingExchange.hasBody(request)) return null;
    downstream = null;
    return request;
  }
}
