package io.sidecar.loadtest.realrun;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link RequestSender} on a Vert.x {@code HttpClient} with one event loop; every call runs on that one context
 * (the project's rule for Vert.x clients, see COMMON.md), so a request's timer and its response never race. The
 * pool may open up to {@link #MAX_CONNECTIONS} connections, far above what 1000 req/s with a 1 s timeout can hold
 * in flight, so the client never queues a request for a connection. On timeout the request is reset, which closes
 * its HTTP/1.1 connection, as any client that gives up does.
 *
 * <p>Runs only on Vert.x 5 with netty 4.2: real-run.sh puts the sidecar's own jar on the class path. This module's
 * Maven class path pins netty 4.1 for Gatling, so Maven tests use {@link JdkHttpSender}.
 */
public final class VertxHttpSender implements RequestSender {
  static final int MAX_CONNECTIONS = 4096;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final Context context;
  private final RequestOptions request;

  public VertxHttpSender(URI target, long connectTimeoutMillis) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout((int) connectTimeoutMillis),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
    this.context = vertx.getOrCreateContext();
    this.request = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.getHost()).setPort(target.getPort())
        .setURI(target.getRawPath());
  }

  @Override
  public void send(long timeoutNanos, Outcome outcome) {
    context.runOnContext(v -> {
      boolean[] finished = {false};
      HttpClientRequest[] sent = {null};
      long timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)), id -> {
        if (finished[0]) return;
        finished[0] = true;
        if (sent[0] != null) sent[0].reset();
        outcome.failed(new TimeoutException("no response within the timeout"), true);
      });
      client.request(request)
          .compose(req -> {
            sent[0] = req;
            // the outcome comes from the futures; without a handler Vert.x logs every reset as SEVERE
            req.exceptionHandler(e -> { });
            if (finished[0]) req.reset(); // timed out while waiting for a connection
            return req.send();
          })
          .compose(response -> response.end().map(x -> response.statusCode()))
          .onComplete(ar -> {
            if (finished[0]) return;
            finished[0] = true;
            vertx.cancelTimer(timer);
            if (ar.succeeded()) outcome.response(ar.result());
            else outcome.failed(ar.cause(), false);
          });
    });
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // the JVM is about to exit; Vert.x's threads do not keep it alive
    }
  }
}
