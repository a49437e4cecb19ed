package io.sidecar.proxy;

import io.sidecar.config.HostPort;
import io.sidecar.config.RouteSpec;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;

/**
 * HTTP/1.1 Upgrade pass-through (WebSocket and any other upgrade): forwards the handshake with its Upgrade and
 * Connection fields, relays the upstream's 101 with its headers, then pipes raw bytes both ways.
 */
final class WebSocketTunnel {
  private final ProxyRuntime runtime;
  private final HttpServerRequest request;
  private final RouteSpec route;
  private final UpstreamCluster cluster;
  private final ProxyMetrics.RouteMeters meters;
  private final long startNanos;

  WebSocketTunnel(ProxyRuntime runtime, HttpServerRequest request, RouteSpec route, UpstreamCluster cluster,
                  ProxyMetrics.RouteMeters meters, long startNanos) {
    this.runtime = runtime;
    this.request = request;
    this.route = route;
    this.cluster = cluster;
    this.meters = meters;
    this.startNanos = startNanos;
  }

  static boolean isUpgrade(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_1_1) return false;
    String upgrade = request.getHeader("upgrade");
    String connection = request.getHeader("connection");
    return upgrade != null && connection != null && connection.toLowerCase().contains("upgrade")
        && !upgrade.toLowerCase().startsWith("h2c");
  }

  void start() {
    meters.started();
    io.sidecar.balancer.Pick pick = cluster.balancer().pick();
    if (!pick.isAccepted()) {
      ResponseFlag flag = ResponseFlag.of(pick.refusal());
      Exchange.replyLocal(request, flag, "cluster " + cluster.name() + ": " + pick.refusal());
      done(flag.status(), flag);
      return;
    }
    // A tunnel is long-lived: it is not a latency sample, so the balancer's handle is released at once.
    pick.handle().cancel();
    HostPort endpoint = cluster.address(pick.handle().address());
    request.pause();
    var options = UpstreamRequests.options(request, route, endpoint, cluster.tlsServerName(), RequestPaths.on(runtime)).setIdleTimeout(0);
    handshake(options, UpstreamRequests.Forwarding.of(request), endpoint, 0)
        .onComplete(ar -> {
          if (ar.failed()) {
            ResponseFlag flag = FailureClassifier.classify(ar.cause(), false);
            Exchange.replyLocal(request, flag, String.valueOf(ar.cause().getMessage()));
            done(flag.status(), flag);
            return;
          }
          var cresp = ar.result();
          if (cresp.statusCode() != 101) {
            var response = request.response().setStatusCode(cresp.statusCode());
            HopByHopHeaders.copyEndToEnd(cresp.headers(), response.headers());
            cresp.body().onComplete(body -> response.end(body.succeeded() ? body.result() : null));
            done(cresp.statusCode(), ResponseFlag.NONE);
            return;
          }
          NetSocket upstream = cresp.netSocket();
          if (request.response().closed()) {
            // the client went away while the upstream answered: no pipeline left to make a tunnel of (Vert.x threw)
            upstream.close();
            done(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
            return;
          }
          MultiMap headers = request.response().headers();
          headers.addAll(cresp.headers());
          request.toNetSocket().onComplete(down -> {
            if (down.failed()) {
              upstream.close();
              done(502, ResponseFlag.UPSTREAM_RESET);
              return;
            }
            NetSocket downstream = down.result();
            upstream.pipeTo(downstream);
            downstream.pipeTo(upstream);
            downstream.closeHandler(v -> upstream.close());
            upstream.closeHandler(v -> downstream.close());
            done(101, ResponseFlag.NONE);
          });
        });
  }

  /**
   * Sends the handshake upstream; again, on another connection, when the kept-alive one it went out on closed before
   * an answer, as for any idempotent request without a body ({@link UpstreamResend}): a pooled connection the upstream
   * had just closed failed the upgrade, and the client's connection closed with it.
   */
  private Future<HttpClientResponse> handshake(RequestOptions options, UpstreamRequests.Forwarding forwarding,
                                              HostPort endpoint, int resends) {
    boolean[] keptAlive = new boolean[1];
    return cluster.client().request(options)
        .compose(creq -> {
          keptAlive[0] = ResponseOverrunGuard.servedBefore(creq.connection());
          creq.exceptionHandler(ignored -> { }); // failures arrive through connect()'s future
          creq.authority(UpstreamRequests.authority(request, route, endpoint));
          UpstreamRequests.writeHeaders(request.headers(), forwarding, route, creq.headers());
          creq.headers().set("upgrade", request.getHeader("upgrade")).set("connection", "Upgrade");
          return creq.connect();
        })
        .recover(err -> {
          var sent = new UpstreamResend.Sent(request.method().name(), false, false, keptAlive[0], -1);
          if (!UpstreamResend.allowed(sent, resends, err) || request.response().closed()) {
            return Future.failedFuture(err);
          }
          runtime.metrics().upstreamResend(cluster.name());
          return handshake(options, forwarding, endpoint, resends + 1);
        });
  }

  private void done(int status, ResponseFlag flag) {
    meters.finished(status, flag, System.nanoTime() - startNanos);
  }
}
