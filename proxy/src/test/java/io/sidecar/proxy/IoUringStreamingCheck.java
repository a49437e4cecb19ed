package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.transport.Transport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Why {@code server.transport: auto} does not take io_uring, without any of our code: plain Vert.x pipes (a
 * client streaming 100 MiB through a piping server to an echoing upstream) on Vert.x 5.0.7 / Netty 4.2.9's
 * io_uring. Here every io_uring run failed: writing the response to the client fails with Netty's
 * {@code ChannelOutputShutdownException: Channel output shutdown} 0.2 MB into the upstream's echo and the client
 * sees the connection close (the other repetitions then fail with "event executor terminated"). On epoll three
 * batches of 8 passed; one earlier epoll batch had one run closed before the upstream saw a byte, not seen again.
 * Off by default; after a Vert.x or Netty upgrade run
 * {@code ./mvnw -pl proxy -am test -Dtest=IoUringStreamingCheck -Dcheck.io_uring=true -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dcheck.transport=epoll} for the control): when it passes, io_uring can be considered for auto again.
 */
@EnabledIfSystemProperty(named = "check.io_uring", matches = "true")
class IoUringStreamingCheck {
  private static final long SIZE = 100L * 1024 * 1024;

  @RepeatedTest(8)
  void aTwoWayStreamThroughPlainVertxPipesCompletes() throws Exception {
    Transport transport = "epoll".equals(System.getProperty("check.transport")) ? Transport.EPOLL : Transport.IO_URING;
    Vertx vertx = Vertx.builder().withTransport(transport).build();
    try {
      AtomicLong upstreamSeen = new AtomicLong();
      AtomicLong clientSent = new AtomicLong();
      AtomicLong received = new AtomicLong();
      HttpServer upstream = vertx.createHttpServer().requestHandler(TwoWayStream.echo(upstreamSeen, (b, a) -> { }))
          .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
      HttpClient toUpstream = vertx.createHttpClient();
      java.util.Queue<String> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
      HttpServer piping = vertx.createHttpServer().requestHandler(req -> {
        req.pause();
        req.exceptionHandler(e -> errors.add("piping request: " + e));
        req.response().exceptionHandler(e -> errors.add("piping response: " + e));
        toUpstream.request(new RequestOptions().setMethod(req.method()).setHost("127.0.0.1")
            .setPort(upstream.actualPort()).setURI(req.uri())
            .putHeader("content-length", req.getHeader("content-length"))).onComplete(ar -> {
              if (ar.failed()) {
                errors.add("upstream request: " + ar.cause());
                return;
              }
              HttpClientRequest creq = ar.result();
              creq.exceptionHandler(e -> errors.add("upstream request: " + e));
              creq.response().onComplete(r -> {
                if (r.failed()) {
                  errors.add("upstream response: " + r.cause());
                  return;
                }
                req.response().setChunked(true);
                r.result().pipeTo(req.response()).onFailure(e -> errors.add("response pipe: " + e));
              });
              req.pipeTo(creq).onFailure(e -> errors.add("request pipe: " + e));
            });
      }).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
      Future<Long> got = TwoWayStream.send(vertx.createHttpClient(), new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(piping.actualPort()).setURI("/echo"), SIZE, clientSent, received);
      long result;
      try {
        result = got.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("on " + transport.name() + ": " + e + "; client sent " + clientSent
            + ", upstream saw " + upstreamSeen + ", client received " + received + "; errors seen: " + errors);
      }
      assertThat(result).isEqualTo(SIZE);
    } finally {
      vertx.close();
    }
  }
}
