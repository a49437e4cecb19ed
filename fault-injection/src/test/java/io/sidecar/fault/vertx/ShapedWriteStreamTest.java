package io.sidecar.fault.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.ResponseShape;
import io.sidecar.fault.SeededRandom;
import io.sidecar.fault.spec.SlicerSpec;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through a real HTTP exchange: a backend serves a body, a "proxy" HTTP server pipes the backend
 * response into a {@link ShapedWriteStream} over its own response, and a client measures what arrives.
 */
class ShapedWriteStreamTest {

  private static final int BODY_SIZE = 64 * 1024;

  private Vertx vertx;
  private HttpServer backend;
  private HttpServer proxy;
  private HttpClient client;
  private final AtomicReference<ResponseShape> shape = new AtomicReference<>(ResponseShape.NONE);
  private final AtomicReference<Long> firstByteDelay = new AtomicReference<>(0L);

  @BeforeEach
  void setUp() throws Exception {
    vertx = io.sidecar.fault.TestVertx.onProductionTransport();
    byte[] body = new byte[BODY_SIZE];
    for (int i = 0; i < body.length; i++) body[i] = (byte) ('a' + i % 26);
    backend = vertx.createHttpServer().requestHandler(req -> req.response().end(Buffer.buffer(body)))
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    HttpClient upstream = vertx.createHttpClient();
    proxy = vertx.createHttpServer().requestHandler(req ->
        upstream.request(HttpMethod.GET, backend.actualPort(), "127.0.0.1", "/")
            .compose(r -> r.send())
            .onSuccess(up -> {
              HttpServerResponse out = req.response().setChunked(true).setStatusCode(up.statusCode());
              ShapedWriteStream shaped = new ShapedWriteStream(vertx, out, shape.get(), firstByteDelay.get(),
                  () -> req.connection().close(), new SeededRandom(3));
              up.pipeTo(shaped);
            })
            .onFailure(e -> req.response().setStatusCode(502).end()))
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private record Result(Buffer body, List<Integer> chunks, long firstByteMs, long lastByteMs, long endMs, Throwable error) {}

  private Result fetch() throws Exception {
    Promise<Result> done = Promise.promise();
    long t0 = System.nanoTime();
    Buffer body = Buffer.buffer();
    List<Integer> chunks = new CopyOnWriteArrayList<>();
    long[] times = {-1, -1};
    // the whole exchange runs on one context so the body handlers are set before any data can arrive
    vertx.getOrCreateContext().runOnContext(ctx -> client.request(HttpMethod.GET, proxy.actualPort(), "127.0.0.1", "/")
        .compose(r -> r.send()).onComplete(ar -> {
      if (ar.failed()) {
        done.tryComplete(new Result(body, chunks, -1, -1, -1, ar.cause()));
        return;
      }
      HttpClientResponse resp = ar.result();
      resp.handler(b -> {
        long now = (System.nanoTime() - t0) / 1_000_000;
        if (times[0] < 0) times[0] = now;
        times[1] = now;
        body.appendBuffer(b);
        chunks.add(b.length());
      });
      resp.exceptionHandler(e -> done.tryComplete(new Result(body, chunks, times[0], times[1], -1, e)));
      resp.endHandler(v -> done.tryComplete(new Result(body, chunks, times[0], times[1], (System.nanoTime() - t0) / 1_000_000, null)));
    }));
    return done.future().await(60, TimeUnit.SECONDS);
  }

  @Test
  void unshapedPassesTheBodyIntact() throws Exception {
    Result r = fetch();
    assertThat(r.error()).isNull();
    assertThat(r.body().length()).isEqualTo(BODY_SIZE);
  }

  @Test
  void bandwidthLimitsTheRate() throws Exception {
    shape.set(new ResponseShape(128 * 1024, null, -1, 0)); // 64 KiB at 128 KiB/s: >= 500 ms
    Result r = fetch();
    assertThat(r.error()).isNull();
    assertThat(r.body().length()).isEqualTo(BODY_SIZE);
    assertThat(r.body().getByte(BODY_SIZE - 1)).isEqualTo((byte) ('a' + (BODY_SIZE - 1) % 26));
    assertThat(r.endMs()).isGreaterThanOrEqualTo(450);
  }

  @Test
  void slicerSendsSmallChunksWithDelays() throws Exception {
    shape.set(new ResponseShape(0, new SlicerSpec(1024, 0, Duration.ofMillis(2)), -1, 0));
    Result r = fetch();
    assertThat(r.body().length()).isEqualTo(BODY_SIZE);
    // 64 pieces of 1 KiB, 2 ms apart: about 126 ms in all (timers have millisecond granularity, so allow
    // half of it; an unsliced 64 KiB body arrives in about 1 ms), and many separate reads
    assertThat(r.endMs()).isGreaterThanOrEqualTo(63);
    assertThat(r.chunks()).hasSizeGreaterThanOrEqualTo(4); // late timers may coalesce slices on the wire
  }

  @Test
  void truncateClosesTheConnectionAfterNBytes() throws Exception {
    shape.set(new ResponseShape(0, null, 1000, 0));
    Result r = fetch();
    assertThat(r.error()).isNotNull();
    assertThat(r.body().length()).isEqualTo(1000);
  }

  @Test
  void slowCloseHoldsTheEndAndFirstByteDelayHoldsTheStart() throws Exception {
    shape.set(new ResponseShape(0, null, -1, Duration.ofMillis(300).toNanos()));
    firstByteDelay.set(Duration.ofMillis(200).toNanos());
    Result r = fetch();
    assertThat(r.error()).isNull();
    assertThat(r.body().length()).isEqualTo(BODY_SIZE);
    assertThat(r.firstByteMs()).isGreaterThanOrEqualTo(190);
    assertThat(r.endMs() - r.lastByteMs()).isGreaterThanOrEqualTo(250);
  }
}
