package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP/2 side of the listeners, frame by frame on a real h2c connection ({@link H2Wire}): what the server
 * announces and how it treats streams the client gives up on. Found by running h2spec against the sidecar.
 */
@Timeout(60)
class Http2ListenerTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /**
   * Prior-knowledge h2c whose preface arrives in pieces: what reads a connection's first bytes ahead of Vert.x's h2c
   * detector (the byte-level path, or {@link FirstRequestVersion} without it) must pass the preface on, not judge
   * "PRI * HTTP/2.0" as a request line.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "fast_path: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void anHttp2PrefaceInPiecesIsServed(boolean fastPath) throws Exception {
    int upstream = await(h.vertx.createHttpServer().requestHandler(req -> req.response().end("ok " + req.path()))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    try (H2Wire wire = H2Wire.open(h.proxyPort)) {
      for (int[] piece : new int[][] {{0, 8}, {8, 16}, {16, H2Wire.PREFACE.length}}) {
        wire.write(java.util.Arrays.copyOfRange(H2Wire.PREFACE, piece[0], piece[1]));
        Thread.sleep(50); // each piece in a read of its own
      }
      wire.write(H2Wire.frameBytes(H2Wire.SETTINGS, 0, 0, new byte[0]));
      wire.headers(1, H2Wire.get("/split", h.proxyPort), true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200");
      assertThat(wire.body(1)).isEqualTo("ok /split");
    }
  }

  /**
   * server.idle_timeout on an HTTP/2 connection ({@link DownstreamIdleTimeout} in place of Vert.x's idle handler): a
   * stream whose body never rests for the timeout keeps the connection, which closes once silent both ways for it.
   */
  @Test
  void anHttp2ConnectionSilentForTheIdleTimeoutIsClosedButAStreamWithShorterGapsIsNot() throws Exception {
    int upstream = await(h.vertx.createHttpServer().requestHandler(req -> h.pacedBody(req, 6, 150))
        .listen(0, "127.0.0.1")).actualPort(); // 6 pieces 150 ms apart: 0.75 s in all, never 400 ms silent
    h.start(1, """
        server: { idle_timeout: 400ms }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app, timeout: 5s } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/stream", h.proxyPort), true);
      assertThat(wire.body(1)).isEqualTo("p0;p1;p2;p3;p4;p5;");
      long start = System.nanoTime();
      assertThat(wire.connectionError()).as("GOAWAY NO_ERROR, or a close").isIn(0L, -1L);
      long silentMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(silentMillis).isBetween(200L, 5_000L);
    }
  }

  /**
   * server.max_header_size bounds HTTP/2 request heads as it bounds HTTP/1.x ones: announced as
   * SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2), a 20 KB field passes under a 32 KiB limit, and a head over it
   * gets 431. Vert.x's default (8 KiB) answered 431 to the 20 KB field that HTTP/1.1 passed.
   */
  @Test
  void http2RequestHeadsHaveTheListenersHeaderSizeLimit() throws Exception {
    int upstream = await(h.vertx.createHttpServer(new HttpServerOptions().setMaxHeaderSize(256 * 1024))
        .requestHandler(req -> req.response().end("x-big " + req.getHeader("x-big").length()))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        server: { max_header_size: 32KiB }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));

    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      assertThat(wire.serverSettings).containsEntry(H2Wire.SETTINGS_MAX_HEADER_LIST_SIZE, 32L * 1024);

      wire.headers(1, H2Wire.get("/", h.proxyPort).add("x-big", "b".repeat(20_000)), true);
      Http2Headers passed = wire.responseHeaders(1);
      assertThat(passed.status().toString()).isEqualTo("200");
      assertThat(wire.body(1)).isEqualTo("x-big 20000");

      wire.headers(3, H2Wire.get("/", h.proxyPort).add("x-big", "b".repeat(36_000)), true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("431");
    }
  }

  /**
   * A client that resets a stream (RST_STREAM, RFC 9113 §6.4) while its upstream request waits for a pooled
   * connection: when the connection comes, the request is dropped unsent and nothing is logged. Before, Vert.x
   * logged "Stream reset: 0" at SEVERE for each (h2spec's generic/2/4 and generic/3.4/1 did it every run).
   */
  @Test
  void aStreamResetWhileItsUpstreamRequestWaitsForAConnectionIsDroppedQuietly() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    Promise<Void> release = Promise.promise();
    CountDownLatch slowArrived = new CountDownLatch(1);
    int upstream = h.upstream((HttpServerRequest req) -> {
      seen.add(req.path());
      if (req.path().equals("/slow")) {
        slowArrived.countDown();
        release.future().onComplete(v -> req.response().end("slow done"));
      } else {
        req.response().end("fast done");
      }
    });
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ], pool: { max_connections: 1 } } ]
        """.formatted(upstream));
    List<LogRecord> severe = new CopyOnWriteArrayList<>();
    Logger clientLog = Logger.getLogger("io.vertx.core.http.impl.HttpClientRequestImpl");
    Handler capture = new Handler() {
      @Override public void publish(LogRecord r) { if (r.getLevel().intValue() >= Level.SEVERE.intValue()) severe.add(r); }
      @Override public void flush() { }
      @Override public void close() { }
    };
    clientLog.addHandler(capture);
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/slow", h.proxyPort), true);
      assertThat(slowArrived.await(10, TimeUnit.SECONDS)).isTrue();
      // stream 3 waits for the only upstream connection, then the client gives up on it
      wire.headers(3, H2Wire.get("/fast", h.proxyPort), true);
      Thread.sleep(300);
      wire.rstStream(3, 0x8 /* CANCEL */);
      Thread.sleep(100);
      h.vertx.runOnContext(v -> release.complete());
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200");
      assertThat(wire.body(1)).isEqualTo("slow done");
      // the reset request got the connection after /slow; give it time to be dropped (and, before, logged)
      Thread.sleep(500);
    } finally {
      clientLog.removeHandler(capture);
    }
    assertThat(seen).containsExactly("/slow");
    assertThat(severe).extracting(LogRecord::getMessage).isEmpty();
  }

  /**
   * HTTP/2 says whether a request has a body only by END_STREAM. A GET the client ended with its HEADERS reaches an
   * HTTP/1.1 upstream without a body (it went with {@code transfer-encoding: chunked} and an empty one, which servers
   * that refuse a GET with a body answer 400); a body without content-length is sent chunked, whole; a stream ended by
   * an empty DATA frame has no body either, and a POST without one says content-length: 0.
   */
  @Test
  void anHttp2RequestHasABodyUpstreamOnlyWhenItsClientSentOne() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    int upstream = h.upstream((HttpServerRequest req) -> req.body().onSuccess(body -> {
      seen.add(req.method() + " " + req.path() + " te=" + req.getHeader("transfer-encoding") + " cl="
          + req.getHeader("content-length") + " body=" + body);
      req.response().end("ok");
    }));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/get", h.proxyPort), true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200");
      wire.headers(3, H2Wire.get("/post", h.proxyPort).method("POST"), false);
      Thread.sleep(50); // the body after the upstream request has started
      wire.data(3, "hello", true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("200");
      wire.headers(5, H2Wire.get("/empty", h.proxyPort).method("POST"), false);
      wire.data(5, "", true);
      assertThat(wire.responseHeaders(5).status().toString()).isEqualTo("200");
    }
    assertThat(seen).containsExactly(
        "GET /get te=null cl=null body=",
        "POST /post te=chunked cl=null body=hello",
        "POST /empty te=null cl=0 body=");  // said with content-length: 0, as nginx says it
  }

  /** The body's first chunk, read to learn that there is a body, counts against max_request_body too (413). */
  @Test
  void anHttp2BodysFirstChunkCountsAgainstTheBodyLimit() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    int upstream = h.upstream((HttpServerRequest req) -> req.body().onSuccess(body -> {
      seen.add(req.path() + " " + body);
      req.response().end("ok");
    }));
    h.start(1, """
        server: { max_request_body: 4 }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/big", h.proxyPort).method("POST"), false);
      Thread.sleep(50);
      wire.data(1, "hello", true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("413");
      wire.headers(3, H2Wire.get("/small", h.proxyPort).method("POST"), false);
      Thread.sleep(50);
      wire.data(3, "hi", true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("200");
    }
    assertThat(seen).containsExactly("/small hi");
  }

  /**
   * Answered before its body (a declared length over max_request_body: 413; no route: 404), a stream the client is
   * still sending on is reset with NO_ERROR after the answer (RFC 9113 §8.1), so the client stops sending; the
   * connection goes on.
   */
  @Test
  void anAnswerBeforeTheBodyIsFollowedByResetNoError() throws Exception {
    int upstream = h.upstream((HttpServerRequest req) -> req.response().end("ok"));
    h.start(1, """
        server: { max_request_body: 4 }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, match: { path_prefix: /up }, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/up", h.proxyPort).method("POST").add("content-length", "1000000"), false);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("413");
      wire.body(1);
      assertThat(wire.streamError(1)).as("RST_STREAM NO_ERROR").isZero();
      wire.headers(3, H2Wire.get("/elsewhere", h.proxyPort).method("POST"), false);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("404");
      wire.body(3);
      assertThat(wire.streamError(3)).as("RST_STREAM NO_ERROR").isZero();
      wire.headers(5, H2Wire.get("/up", h.proxyPort), true);
      assertThat(wire.body(5)).isEqualTo("ok");
    }
  }
}
