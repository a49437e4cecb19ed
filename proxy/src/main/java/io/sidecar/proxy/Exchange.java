package io.sidecar.proxy;

import io.sidecar.config.RouteSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * One proxied request: streams the request body upstream and the response body back, both with back-pressure
 * (Vert.x pipes pause the source while the destination's write queue is full), and nothing aggregated.
 * Every way it can end goes through {@link #finish} exactly once. All callbacks run on the request's event loop.
 */
final class Exchange {
  private final ProxyRuntime runtime;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final RouteSpec route;
  private final UpstreamCluster cluster;
  private final ProxyMetrics.RouteMeters meters;
  private final long maxRequestBody;
  private final long startNanos;
  private Endpoint endpoint;
  private HttpClientRequest upstream;
  private long timer = -1;
  private boolean done;

  Exchange(ProxyRuntime runtime, HttpServerRequest request, RouteSpec route, UpstreamCluster cluster,
           ProxyMetrics.RouteMeters meters, long maxRequestBody, long startNanos) {
    this.runtime = runtime;
    this.request = request;
    this.response = request.response();
    this.route = route;
    this.cluster = cluster;
    this.meters = meters;
    this.maxRequestBody = maxRequestBody;
    this.startNanos = startNanos;
  }

  void start() {
    meters.started();
    endpoint = cluster.pick(List.of());
    if (endpoint == null) {
      fail(ResponseFlag.NO_HEALTHY_UPSTREAM, "cluster " + cluster.name() + " has no endpoints");
      return;
    }
    endpoint.started();
    request.pause();
    timer = runtime.vertx().setTimer(route.timeout().toMillis(), id -> {
      timer = -1;
      fail(ResponseFlag.UPSTREAM_TIMEOUT, "route timeout " + route.timeout().toMillis() + "ms exceeded");
    });
    response.closeHandler(v -> {
      if (!done) {
        finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
        if (upstream != null) upstream.reset();
      }
    });
    cluster.client().request(UpstreamRequests.options(request, route, endpoint)).onComplete(ar -> {
      if (done) {
        if (ar.succeeded()) ar.result().reset();
        return;
      }
      if (ar.failed()) {
        fail(FailureClassifier.classify(ar.cause(), false), ar.cause().getMessage());
        return;
      }
      sendUpstream(ar.result());
    });
  }

  private void sendUpstream(HttpClientRequest creq) {
    upstream = creq;
    creq.authority(UpstreamRequests.authority(request, route, endpoint));
    creq.response().onComplete(ar -> {
      if (ar.succeeded()) relayResponse(ar.result());
      else if (!done) fail(FailureClassifier.classify(ar.cause(), true), ar.cause().getMessage());
    });
    if (!hasBody()) {
      creq.end();
      request.resume();
      return;
    }
    if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null && creq.version() != HttpVersion.HTTP_2) {
      creq.setChunked(true);
    }
    ReadStream<Buffer> body = new BodyLimitStream(request, maxRequestBody, () -> {
      fail(ResponseFlag.REQUEST_BODY_TOO_LARGE, "request body exceeds " + maxRequestBody + " bytes");
      request.connection().close();
    });
    body.pipe().endOnFailure(false).to(creq).onFailure(err -> {
      creq.reset();
      if (!done && request.response().closed()) finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
    });
  }

  /** HTTP/1.x: a body exists iff Content-Length or Transfer-Encoding says so; HTTP/2: until END_STREAM. */
  private boolean hasBody() {
    if (request.version() == HttpVersion.HTTP_2) return !request.isEnded();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) return !length.trim().equals("0");
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private void relayResponse(HttpClientResponse cresp) {
    if (done) {
      return;
    }
    int status = cresp.statusCode();
    response.setStatusCode(status);
    String message = cresp.statusMessage();
    if (message != null && !message.isEmpty()) response.setStatusMessage(message);
    MultiMap headers = response.headers();
    headers.addAll(cresp.headers());
    HopByHopHeaders.strip(headers);
    UpstreamRequests.appendVia(headers, cresp.version());
    UpstreamRequests.apply(route.responseHeaders(), headers);
    boolean bodyless = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (!bodyless && !headers.contains(HttpHeaders.CONTENT_LENGTH) && request.version() != HttpVersion.HTTP_2) {
      response.setChunked(true);
    }
    cresp.pipe().endOnFailure(false).to(response).onComplete(ar -> {
      if (ar.succeeded()) {
        finish(status, ResponseFlag.NONE);
      } else if (!done) {
        // Headers are gone already: the only honest signal left is to break the downstream stream.
        ResponseFlag flag = response.closed() ? ResponseFlag.DOWNSTREAM_DISCONNECT
            : FailureClassifier.classify(ar.cause(), true);
        abortDownstream();
        finish(status, flag);
      }
    });
  }

  private void fail(ResponseFlag flag, String detail) {
    if (done) return;
    if (!response.headWritten() && !response.closed()) {
      replyLocal(request, flag, detail);
      finish(flag.status(), flag);
      // Drain whatever request body is left so the keep-alive connection can serve the next request.
      if (!request.isEnded() && flag != ResponseFlag.REQUEST_BODY_TOO_LARGE) request.handler(null).resume();
    } else {
      finish(response.getStatusCode(), flag);
      abortDownstream();
    }
    // After finish(): the reset's own failure callbacks must find the exchange done, not name it again.
    if (upstream != null) upstream.reset();
  }

  private void abortDownstream() {
    if (request.version() == HttpVersion.HTTP_2) response.reset();
    else request.connection().close();
  }

  private void finish(int status, ResponseFlag flag) {
    if (done) return;
    done = true;
    if (timer >= 0) runtime.vertx().cancelTimer(timer);
    long nanos = System.nanoTime() - startNanos;
    if (endpoint != null) endpoint.finished(nanos, flag != ResponseFlag.NONE || status >= 500);
    meters.finished(status, flag, nanos);
    AccessLog log = runtime.accessLog();
    if (log != null) {
      log.log(request.method().name(), request.path(), route.name(), cluster.name(),
          endpoint == null ? null : endpoint.address().toString(), status, flag, nanos, response.bytesWritten(),
          request.remoteAddress() == null ? null : request.remoteAddress().hostAddress());
    }
  }

  /** A response the sidecar makes itself: the flag's status, the flag header and a one-line text reason. */
  static void replyLocal(HttpServerRequest request, ResponseFlag flag, String detail) {
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.closed()) return;
    response.setStatusCode(flag.status())
        .putHeader(ResponseFlag.HEADER, flag.code())
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
    if (flag == ResponseFlag.REQUEST_BODY_TOO_LARGE) response.putHeader(HttpHeaders.CONNECTION, "close");
    response.end(flag.name().toLowerCase().replace('_', ' ') + ": " + detail + "\n");
  }
}
