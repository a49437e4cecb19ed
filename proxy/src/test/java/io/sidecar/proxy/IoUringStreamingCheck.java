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
 * A two-way stream through plain Vert.x pipes (a client streaming 100 MiB through a piping server to an echoing
 * upstream), without any of our code, on io_uring. On Vert.x 5.0.7's own Netty 4.2.9 every run failed: writing the
 * response to the client failed with Netty's {@code ChannelOutputShutdownException: Channel output shutdown} 0.2 MB
 * into the upstream's echo. With the Netty 4.2.18 the build now imports, 8 of 8 pass. Off by default; after a
 * Vert.x or Netty change run
 * {@code ./mvnw -pl proxy -am test -Dtest=IoUringStreamingCheck -Dcheck.io_uring=true -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dcheck.transport=epoll} for the control) before trusting io_uring with long streams.
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
      HttpClient client = vertx.createHttpClient(); // closed below: unreferenced, Vert.x would close it mid-stream
      Future<Long> got = TwoWayStream.send(client, new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(piping.actualPort()).setURI("/echo"), SIZE, clientSent, received);
      long result;
      try {
        result = got.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("on " + transport.name() + ": " + e + "; client sent " + clientSent
            + ", upstream saw " + upstreamSeen + ", client received " + received + "; errors seen: " + errors);
      }
      assertThat(result).isEqualTo(SIZE);
      client.close();
    } finally {
      vertx.close();
    }
  }
}
