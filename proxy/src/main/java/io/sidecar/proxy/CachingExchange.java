package io.sidecar.proxy;

import io.sidecar.cache.CachePolicy;
import io.sidecar.cache.CacheRequest;
import io.sidecar.cache.CacheResponse;
import io.sidecar.cache.HttpCache;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * A request on a caching route: the cache (RFC 9111 semantics, L1/L2, coalescing, invalidation) answers it or
 * goes upstream through an {@link OriginFetch}; the answer is written downstream, a stored body as it is, a live
 * one streamed while the cache tees it into storage.
 */
final class CachingExchange {
  private final ProxyRuntime runtime;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final RoutingSnapshot.CompiledRoute route;
  private final UpstreamCluster cluster;
  private final ProxyMetrics.RouteMeters meters;
  private final long startNanos;
  private boolean done;

  CachingExchange(ProxyRuntime runtime, HttpServerRequest request, RoutingSnapshot.CompiledRoute route,
                  UpstreamCluster cluster, ProxyMetrics.RouteMeters meters, long startNanos) {
    this.runtime = runtime;
    this.request = request;
    this.response = request.response();
    this.route = route;
    this.cluster = cluster;
    this.meters = meters;
    this.startNanos = startNanos;
  }

  static boolean hasBody(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) return !request.isEnded();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) return !length.trim().equals("0");
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  /** The request as the cache keys and fetches it: with its path normalised ({@link RequestPaths}). */
  private CacheRequest cacheRequest(HttpServerRequest request) {
    CacheRequest asSent = CacheRequest.of(request);
    String normalized = RequestPaths.of(request, RequestPaths.on(runtime));
    if (request.path() == null || normalized == request.path()) return asSent; // nothing to change
    String query = request.query();
    return new CacheRequest(asSent.method(), asSent.scheme(), asSent.authority(),
        query == null ? normalized : normalized + "?" + query, asSent.headers());
  }

  void start(HttpCache cache, CachePolicy policy) {
    meters.started();
    route.signals().begin();
    boolean body = hasBody(request);
    request.pause();
    response.closeHandler(v -> finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT));
    cache.handle(cacheRequest(request), policy, new OriginFetch(runtime, route.spec(), cluster, request),
            response.headers())
        .onComplete(ar -> {
          if (done) {
            if (ar.succeeded()) ar.result().downstreamGone();
            return;
          }
          if (ar.succeeded()) {
            write(ar.result());
          } else {
            ResponseFlag flag = ar.cause() instanceof UpstreamFailure f ? f.flag : ResponseFlag.UPSTREAM_RESET;
            Exchange.replyLocal(request, flag, String.valueOf(ar.cause().getMessage()));
            finish(flag.status(), flag);
          }
          if (!request.isEnded()) request.handler(null).resume();
        });
    if (!body) request.resume();
  }

  private void write(CacheResponse answer) {
    if (answer.cacheStatus() != io.sidecar.cache.CacheStatus.BYPASS) {
      route.signals().cacheLookup(answer.cacheStatus() == io.sidecar.cache.CacheStatus.HIT);
    }
    response.setStatusCode(answer.status());
    MultiMap headers = response.headers();
    if (answer.headers() != headers) headers.addAll(answer.headers()); // a stored answer wrote them in place
    UpstreamRequests.apply(route.spec().responseHeaders(), headers);
    if (answer.body() != null) {
      response.end(answer.body());
      finish(answer.status(), ResponseFlag.NONE);
    } else if (answer.stream() != null) {
      if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && request.version() != HttpVersion.HTTP_2) {
        response.setChunked(true);
      }
      answer.stream().pipe().endOnFailure(false).to(response).onComplete(ar -> {
        if (ar.succeeded()) {
          finish(answer.status(), ResponseFlag.NONE);
        } else if (response.closed()) {
          answer.downstreamGone();
          finish(answer.status(), ResponseFlag.DOWNSTREAM_DISCONNECT);
        } else {
          ResponseFlag flag = FailureClassifier.classify(ar.cause(), true);
          if (Exchange.discardUnsentHead(response, flag)) {
            Exchange.replyLocal(request, flag, String.valueOf(ar.cause().getMessage()));
            finish(flag.status(), flag);
            return;
          }
          finish(answer.status(), flag);
          if (request.version() == HttpVersion.HTTP_2) response.reset();
          else request.connection().close();
        }
      });
    } else {
      response.end();
      finish(answer.status(), ResponseFlag.NONE);
    }
  }

  private void finish(int status, ResponseFlag flag) {
    if (done) return;
    done = true;
    EarlyAnswerReset.ifRequestUnfinished(request); // an upload answered before its end (an upstream's 413)
    long nanos = System.nanoTime() - startNanos;
    meters.finished(status, flag, nanos);
    route.signals().record(nanos, status, flag == ResponseFlag.NONE ? null : flag.code(), response.bytesWritten());
    AccessLog log = runtime.accessLog();
    if (log != null) {
      log.log(request, route.spec().name(), cluster.name(), null, status, flag, nanos, response.bytesWritten());
    }
  }
}
