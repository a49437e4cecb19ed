package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte-level HTTP/1.1 path, through real sockets: a raw client writes exact bytes, and the counters show which
 * path served each request.
 */
class FastPathTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static String route(int upstreamPort, String server) {
    return "server: { " + server + " }\n" + ProxyHarness.singleRoute(upstreamPort, "    timeout: 2s\n");
  }

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /**
   * A connection's first request, on a listener that also speaks h2c. The byte-level path serves it: it is put in
   * place when the connection is accepted ({@link EarlyFastPath}), not when Vert.x announces the connection (which
   * on such a listener happens only once Vert.x's decoder has read a request).
   */
  private static void firstRequest(RawHttpClient client) throws IOException {
    assertThat(client.exchange("GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
  }

  /** A GET the byte-level path hands to the full path: it leaves heads with a Keep-Alive field to Vert.x. */
  private static String fullPathRequest(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: a\r\nKeep-Alive: timeout=5\r\n\r\n";
  }



  /** Answers "ok" to everything and counts the requests it got. */
  private int countingUpstream(AtomicInteger seen) {
    return h.upstream(req -> {
      seen.incrementAndGet();
      req.response().end("ok");
    });
  }

  /** Echoes what the upstream saw as JSON: the URI and every header (names lower-cased). */
  private int echoUpstream() {
    return h.upstream(req -> req.body().onSuccess(body -> {
      JsonObject seen = new JsonObject().put("uri", req.uri()).put("method", req.method().name())
          .put("body", body.toString());
      req.headers().forEach(e -> seen.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
      req.response().putHeader("connection", "x-up-private").putHeader("x-up-private", "secret")
          .putHeader("keep-alive", "timeout=5").putHeader("x-up", "yes").end(seen.encode());
    }));
  }

  @Test
  void aSimpleRequestIsRelayedAsBytesWithTheForwardingFieldsMerged() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      RawHttpClient.Response reply = client.exchange("GET /api/items?q=1 HTTP/1.1\r\nHost: shop.example:8443\r\n"
          + "Connection: keep-alive\r\nX-Forwarded-For: 10.0.0.1\r\nVia: 1.1 edge\r\nX-Keep: kept\r\n\r\n");
      assertThat(reply.status()).isEqualTo(200);
      JsonObject seen = new JsonObject(reply.body());
      assertThat(seen.getString("uri")).isEqualTo("/items?q=1");
      assertThat(seen.getString("host")).isEqualTo("shop.example:8443");
      assertThat(seen.getString("x-keep")).isEqualTo("kept");
      assertThat(seen.getString("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
      assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
      assertThat(seen.getString("x-forwarded-host")).isEqualTo("shop.example:8443");
      assertThat(seen.getString("via")).isEqualTo("1.1 edge, 1.1 sidecar");
      assertThat(seen.containsKey("connection")).isFalse();
      assertThat(reply.header("x-up")).isEqualTo("yes");
      assertThat(reply.header("x-up-private")).isNull();
      assertThat(reply.header("keep-alive")).isNull();
      assertThat(reply.header("connection")).isNull();
      assertThat(reply.header("via")).isEqualTo("1.1 sidecar");
      // the same connection serves the next request
      assertThat(client.exchange("GET /api/again HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
    assertThat(h.handovers()).isZero();
    awaitCount("2xx", 3.0);
  }

  @Test
  void requestBodiesStreamUpstreamAndResponsesBack() {
    int port = h.upstream(req -> req.body().onSuccess(body -> req.response().end(body)));
    h.start(1, route(port, ""));
    assertThat(h.send(HttpMethod.GET, "/api/first", null, null).status()).isEqualTo(200);
    byte[] payload = new byte[3 * 1024 * 1024 + 17];
    for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31);
    Buffer echoed = await(h.onClientContext(() -> h.client.request(HttpMethod.POST, h.proxyPort, "127.0.0.1", "/api/echo")
        .compose(req -> req.send(Buffer.buffer(payload))).compose(HttpClientResponse::body)));
    assertThat(echoed.getBytes()).isEqualTo(payload);
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }

  /**
   * A chunked request body (a client streaming an upload of unknown length: curl -T -, Java's HttpClient with an
   * InputStream, Go with an io.Reader) is read strictly and sent on re-chunked, on both paths: the upstream gets the
   * data, chunked, without the client's extensions and trailers; the next request on the connection is served. The
   * byte-level path takes it (it handed every such request to Vert.x before).
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aChunkedRequestBodyGoesOnChunkedWithoutExtensionsOrTrailers(boolean fastPath) throws Exception {
    h.start(1, route(echoUpstream(), "fast_path: " + fastPath));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      firstRequest(client);
      client.write("POST /api/upload HTTP/1.1\r\nHost: a\r\ntransfer-encoding:  Chunked\r\n\r\n5;sig=\"x;y\"\r\nhel");
      Thread.sleep(50); // the rest in later reads: a chunk cut in its data, then in its size line
      client.write("lo\r\n1");
      Thread.sleep(50);
      client.write("\r\n,\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n");
      RawHttpClient.Response reply = client.read();
      assertThat(reply.status()).isEqualTo(200);
      JsonObject seen = new JsonObject(reply.body());
      assertThat(seen.getString("body")).isEqualTo("hello, world");
      assertThat(seen.getString("transfer-encoding")).isEqualTo("chunked");
      assertThat(seen.containsKey("content-length")).isFalse();
      assertThat(seen.containsKey("x-checksum")).as("a trailer is not a header").isFalse();
      assertThat(client.exchange("GET /api/next HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 3.0 : 0.0);
    assertThat(h.handovers()).isZero();
  }

  /** The wire bytes the upstream gets for a chunked body on the byte-level path: framed by the sidecar alone. */
  @Test
  void aChunkedRequestBodyIsReChunkedOneChunkPerRead() throws Exception {
    java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            Thread t = new Thread(() -> recordRequests(s, received));
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      accept.setDaemon(true);
      accept.start();
      h.start(1, route(server.getLocalPort(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
        firstRequest(client);
        assertThat(client.exchange("PUT /api/u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n").status()).isEqualTo(200);
      }
    }
    String got = received.get(1);
    assertThat(got).startsWith("PUT /u HTTP/1.1\r\n").contains("\r\ntransfer-encoding: chunked\r\n")
        .doesNotContainIgnoringCase("content-length").doesNotContain("Transfer-Encoding");
    assertThat(got.substring(got.indexOf("\r\n\r\n") + 4)).isEqualTo("5\r\nabcde\r\n0\r\n\r\n");
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }

  /** Reads requests (a head, then a chunked body if it says so) and answers each OK, recording each as it came. */
  private static void recordRequests(Socket s, java.util.List<String> received) {
    try (s) {
      InputStream in = s.getInputStream();
      while (true) {
        StringBuilder request = new StringBuilder();
        while (request.indexOf("\r\n\r\n") < 0) {
          int b = in.read();
          if (b < 0) return;
          request.append((char) b);
        }
        if (request.toString().toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
          int headEnd = request.length();
          while (!request.substring(headEnd).endsWith("0\r\n\r\n")) {
            int b = in.read();
            if (b < 0) return;
            request.append((char) b);
          }
        }
        received.add(request.toString());
        s.getOutputStream().write(OK.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      }
    } catch (IOException e) {
      // the proxy closed the connection
    }
  }

  /**
   * A chunked body that breaks its framing part-way is a 400 DPE, and one whose chunk sizes pass max_request_body a
   * 413 RBL as the size line ends; the connection closes and nothing behind the body is read as a request, on the
   * byte-level path as on the full one.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"5\r\nhello\n0\r\n\r\n:400:DPE", "10\r\n:413:RBL", "5\r\nhello\r\nzz\r\n:400:DPE"})
  void aChunkedBodyThatBreaksOrPassesTheLimitIsAnsweredAndEndsTheConnection(String row) throws Exception {
    String[] parts = row.split(":");
    AtomicInteger whole = new AtomicInteger();
    int port = h.upstream(req -> req.body().onSuccess(b -> {
      whole.incrementAndGet();
      req.response().end("ok");
    }));
    h.start(1, route(port, "max_request_body: 12"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      firstRequest(client);
      client.write("POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + parts[0]
          + "GET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttpClient.Response reply = client.read();
      assertThat(reply.status()).isEqualTo(Integer.parseInt(parts[1]));
      assertThat(reply.header(ResponseFlag.HEADER)).isEqualTo(parts[2]);
      assertThat(reply.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
    assertThat(h.handovers()).isZero();
    // the head went on as it came (the body streams); the request was cut short, never complete
    assertThat(whole.get()).as("the first request only").isEqualTo(1);
  }

  /** A chunked upload behind Expect: 100-continue (curl -T - sends both) gets the sidecar's 100, then its body is sent on. */
  @Test
  void aChunkedUploadExpectingContinueGetsA100() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      client.write("PUT /api/upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
      assertThat(client.read().status()).isEqualTo(100);
      client.write("2\r\nhi\r\n0\r\n\r\n");
      RawHttpClient.Response reply = client.read();
      assertThat(new JsonObject(reply.body()).getString("body")).isEqualTo("hi");
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /** A chunked body on a retrying route streams (its length is not known before it is read), on this path. */
  @Test
  void aChunkedBodyOnARetryingRouteStreams() throws Exception {
    h.start(1, route(echoUpstream(), "").replace("timeout: 2s", "timeout: 2s\n    retry: { attempts: 2 }"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      firstRequest(client);
      RawHttpClient.Response reply = client.exchange("POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "2\r\nhi\r\n0\r\n\r\n");
      assertThat(new JsonObject(reply.body()).getString("body")).isEqualTo("hi");
      assertThat(client.exchange("GET /api/next HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
    assertThat(h.handovers()).isZero();
  }

  /** Tens of MiB sent chunked stream both ways through the byte-level path, with back-pressure, not stored first. */
  @Test
  void aLargeChunkedUploadStreamsWithBackPressureOnTheByteLevelPath() {
    streamsBothWaysOnTheByteLevelPath(48L * 1024 * 1024, true);
  }

  @Test
  void hundredMegabytesStreamBothWaysWithBackPressureOnTheByteLevelPath() {
    streamsBothWaysOnTheByteLevelPath(100L * 1024 * 1024, false);
  }

  /**
   * Sends {@code size} bytes (with a Content-Length, or chunked) to an upstream that echoes them as they come, and
   * checks that all of it came back, streamed (the upstream saw its first MiB before half was sent), on this path.
   */
  private void streamsBothWaysOnTheByteLevelPath(long size, boolean chunked) {
    java.util.concurrent.atomic.AtomicLong upstreamSeen = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong sentWhenUpstreamSawFirstMiB = new java.util.concurrent.atomic.AtomicLong(-1);
    java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    int port = h.upstream(req -> {
      if (req.path().equals("/first")) req.response().end("ok");
      else TwoWayStream.echo(upstreamSeen, (before, after) -> {
        if (before < 1024 * 1024 && after >= 1024 * 1024) sentWhenUpstreamSawFirstMiB.set(sent.get());
      }).handle(req);
    });
    h.start(1, route(port, "max_request_body: 1GiB").replace("timeout: 2s", "timeout: 60s"));
    assertThat(h.send(HttpMethod.GET, "/api/first", null, null).status()).isEqualTo(200);
    long got = await(h.onClientContext(() -> TwoWayStream.send(h.client, new io.vertx.core.http.RequestOptions()
        .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(h.proxyPort).setURI("/api/echo"), size, sent,
        new java.util.concurrent.atomic.AtomicLong(), chunked)));
    assertThat(got).isEqualTo(size);
    assertThat(upstreamSeen.get()).isEqualTo(size);
    assertThat(sentWhenUpstreamSawFirstMiB.get()).isBetween(0L, size / 2); // streamed, not stored and forwarded
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }

  @Test
  void aRequestItDoesNotTakeGoesToTheFullPathAndTheConnectionComesBackBehindIt() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      assertThat(client.exchange("GET /api/one HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      RawHttpClient.Response handedOver = client.exchange("POST /api/two HTTP/1.1\r\nHost: a\r\nKeep-Alive: timeout=5\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
      assertThat(handedOver.status()).isEqualTo(200);
      assertThat(new JsonObject(handedOver.body()).getString("body")).isEqualTo("hello");
      assertThat(new JsonObject(handedOver.body()).getString("uri")).isEqualTo("/two");
      RawHttpClient.Response third = client.exchange("GET /api/three HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(new JsonObject(third.body()).getString("uri")).isEqualTo("/three");
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0); // first, one and three
    assertThat(h.handovers()).isEqualTo(1.0);
  }

  /** Starts the proxy with route api (byte-level) and route cached (/cached/, the full path); counts upstream requests. */
  private void startWithACachedRoute(AtomicInteger upstreamRequests) {
    int port = h.upstream(req -> {
      upstreamRequests.incrementAndGet();
      req.response().putHeader("cache-control", "max-age=60").end(req.path());
    });
    h.start(1, ProxyHarness.withCachedRoute(route(port, "")));
  }

  @Test
  void aFirstRequestsPipelinedRequestForTheFullPathIsHandedToVertxWhichHasNotSeenTheConnectionYet() throws Exception {
    AtomicInteger upstreamRequests = new AtomicInteger();
    startWithACachedRoute(upstreamRequests);
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      // one write: the byte-level path serves the first, hands the second (and what follows) to Vert.x, whose h2c
      // detector and decoder meet the connection only then; the gate brings it back for the fourth
      client.write("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\nGET /cached/x HTTP/1.1\r\nHost: a\r\n\r\n"
          + "GET /api/b HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(client.read().body()).isEqualTo("/a");
      assertThat(client.read().body()).isEqualTo("/x");
      assertThat(client.read().body()).isEqualTo("/b");
      assertThat(client.exchange("GET /api/c HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("/c");
    }
    assertThat(upstreamRequests.get()).isEqualTo(4);
    assertThat(h.handovers()).isEqualTo(1.0);
    assertThat(h.fastPathRequests()).isEqualTo(2.0); // a and c; b was read by Vert.x's decoder with x
  }

  @Test
  void aCacheMissTakesTheFullPathWithoutKeepingItsConnectionOffTheByteLevelPathAndAHitStaysOnIt() throws Exception {
    AtomicInteger upstreamRequests = new AtomicInteger();
    startWithACachedRoute(upstreamRequests);
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      assertThat(client.exchange("GET /api/one HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("/one");
      for (int i = 0; i < 2; i++) {
        RawHttpClient.Response cached = client.exchange("GET /cached/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(cached.body()).isEqualTo("/x");
        assertThat(cached.header("x-cache")).isEqualTo(i == 0 ? "MISS" : "HIT");
        // the miss went to Vert.x (a hand-over); the hit was answered on the byte-level path
        assertThat(h.fastPathRequests()).isEqualTo(i == 0 ? 2.0 : 4.0);
        assertThat(client.exchange("GET /api/two HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("/two");
        assertThat(h.fastPathRequests()).isEqualTo(i == 0 ? 3.0 : 5.0);
      }
    }
    assertThat(upstreamRequests.get()).isEqualTo(5); // first, one, x once (then a hit), two twice
    assertThat(h.handovers()).isEqualTo(1.0);
  }

  @Test
  void aHandedOverRequestThatEndsTheConnectionEndsIt() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    int port = countingUpstream(seen);
    h.start(1, route(port, ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      RawHttpClient.Response reply = client.exchange("POST /api/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
          + "Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("connection")).isEqualTo("close");
      try {
        client.write("GET /api/after HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(client.atEndOfStream()).isTrue();
      } catch (java.net.SocketException reset) {
        // closed before the write landed: as good as the end of the stream
      }
    }
    assertThat(seen.get()).isEqualTo(2); // first and x; nothing after the close
    assertThat(h.fastPathRequests()).isEqualTo(1.0); // first
  }

  @Test
  void thePathOpensOnlyWhenVertxsDecoderHoldsNoPartOfANextRequest() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      // The first bytes hold a whole request the byte-level path hands over and the start of a second, cut inside
      // a field value; the rest, sent later, reads as a request of its own. Only the decoder that holds the start
      // may read it.
      client.write(fullPathRequest("/api/first") + "GET /api/second HTTP/1.1\r\nX-Split: ");
      assertThat(new JsonObject(client.read().body()).getString("uri")).isEqualTo("/first");
      Thread.sleep(100);
      client.write("GET /api/smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
      JsonObject second = new JsonObject(client.read().body());
      assertThat(second.getString("uri")).isEqualTo("/second");
      assertThat(second.getString("x-split")).isEqualTo("GET /api/smuggled HTTP/1.1");
      // both were Vert.x's; the path opens behind them
      assertThat(new JsonObject(client.exchange("GET /api/third HTTP/1.1\r\nHost: a\r\n\r\n").body())
          .getString("uri")).isEqualTo("/third");
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
    assertThat(h.handovers()).isEqualTo(1.0);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    int port = h.upstream(req -> {
      long delay = req.path().endsWith("1") ? 150 : 1;
      h.vertx.setTimer(delay, id -> req.response().end(req.path()));
    });
    h.start(1, route(port, ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      client.write("GET /api/r1 HTTP/1.1\r\nHost: a\r\n\r\nGET /api/r2 HTTP/1.1\r\nHost: a\r\n\r\n"
          + "GET /api/r3 HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(client.read().body()).isEqualTo("/r1");
      assertThat(client.read().body()).isEqualTo("/r2");
      assertThat(client.read().body()).isEqualTo("/r3");
    }
    assertThat(h.fastPathRequests()).isEqualTo(4.0);
  }

  @Test
  void ambiguousFramingGoesToTheStrictDecoderAndNeverReachesTheUpstream() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    int port = countingUpstream(seen);
    h.start(1, route(port, ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      RawHttpClient.Response reply = client.exchange("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
          + "hello!");
      assertThat(reply.status()).isEqualTo(400);
    }
    assertThat(seen.get()).isEqualTo(1); // the first request only
    assertThat(h.handovers()).isEqualTo(1.0);
  }

  @Test
  void malformedAndOversizedHeadsMeetTheStrictDecoderAfterThePathOpened() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\n\r\n").status())
          .isEqualTo(400);
    }
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      String big = "x".repeat(70 * 1024);
      assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\n\r\n").status())
          .isEqualTo(431);
    }
    assertThat(h.handovers()).isEqualTo(2.0);
    assertThat(h.fastPathRequests()).isEqualTo(2.0); // the two first requests
    // and the proxy keeps serving
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      assertThat(client.exchange("GET /api/fine HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.fastPathRequests()).isEqualTo(4.0);
  }

  @Test
  void aHeadResponseHasNoBodyAndTheConnectionsStayInStep() throws Exception {
    h.start(1, route(h.upstream(req -> req.response().putHeader("x-path", req.path()).end("hello")), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      client.write("HEAD /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttpClient.Response head = client.readHeadOnly();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("x-path")).isEqualTo("/x");
      RawHttpClient.Response next = client.exchange("GET /api/y HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(next.body()).isEqualTo("hello");
      assertThat(next.header("x-path")).isEqualTo("/y");
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
  }

  @Test
  void beyondThePoolAndItsWaitQueueRequestsAre503UO() throws Exception {
    int port = h.upstream(req -> {
      if (req.path().equals("/first")) req.response().end("ok");
      else h.vertx.setTimer(400, id -> req.response().end("slow"));
    });
    h.start(1, route(port, "").replace("pool: { connect_timeout: 500ms }",
        "pool: { connect_timeout: 500ms, max_connections: 1, max_pending: 1 }"));
    List<RawHttpClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        RawHttpClient c = new RawHttpClient(h.proxyPort);
        clients.add(c);
        firstRequest(c);
      }
      for (RawHttpClient c : clients) c.write("GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n");
      int ok = 0;
      int overflow = 0;
      for (RawHttpClient c : clients) {
        RawHttpClient.Response r = c.read();
        if (r.status() == 200) ok++;
        else if (r.status() == 503 && "UO".equals(r.header("x-sidecar-flags"))) overflow++;
      }
      // Per loop (two here): one connection, one waiting request, the rest refused. A loop with no connection of
      // its own may always open one, so at least two are served and every other request is refused as UO.
      assertThat(ok).isGreaterThanOrEqualTo(2);
      assertThat(ok + overflow).isEqualTo(6);
      assertThat(overflow).isGreaterThanOrEqualTo(2);
    } finally {
      for (RawHttpClient c : clients) c.close();
    }
  }

  /** An upstream that counts its connections: {@code open} now, {@code opened} ever. */
  private io.vertx.core.http.HttpServer connectionCountingUpstream(AtomicInteger open, AtomicInteger opened,
      io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler) {
    return await(h.vertx.createHttpServer()
        .connectionHandler(c -> {
          open.incrementAndGet();
          opened.incrementAndGet();
          c.closeHandler(v -> open.decrementAndGet());
        })
        .requestHandler(handler)
        .listen(0, "127.0.0.1"));
  }

  @Test
  void idleUpstreamConnectionsCloseAfterThePoolsIdleTimeout() throws Exception {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger opened = new AtomicInteger();
    io.vertx.core.http.HttpServer server = connectionCountingUpstream(open, opened, req -> req.response().end("ok"));
    try {
      h.start(1, route(server.actualPort(), "").replace("pool: { connect_timeout: 500ms }",
          "pool: { connect_timeout: 500ms, idle_timeout: 1s }"));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange(fullPathRequest("/api/full")).status()).isEqualTo(200); // the full path's pool
        assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200); // the byte path's
        assertThat(opened.get()).isEqualTo(2);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (open.get() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(open.get()).isZero();
      }
    } finally {
      await(server.close());
    }
  }

  /**
   * The pool's idle timeout counts only time a connection spends idle in the pool: one timer per connection is
   * pushed back by each exchange, so a connection reused with gaps shorter than the timeout, or busy with a response
   * slower than it, stays open, and the timeout is counted again from the end of the last exchange.
   */
  @Test
  void anUpstreamConnectionReusedWithShortGapsOrSlowResponsesOutlivesThePoolsIdleTimeout() throws Exception {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger opened = new AtomicInteger();
    io.vertx.core.http.HttpServer server = connectionCountingUpstream(open, opened, req -> {
      if (req.path().equals("/slow")) h.vertx.setTimer(700, id -> req.response().end("slow"));
      else req.response().end("ok");
    });
    try {
      h.start(1, route(server.actualPort(), "").replace("pool: { connect_timeout: 500ms }",
          "pool: { connect_timeout: 500ms, idle_timeout: 300ms }"));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 6; i++) { // 0.9 s in all, never 300 ms idle
          assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("ok");
          Thread.sleep(150);
        }
        assertThat(client.exchange("GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("slow");
        assertThat(opened.get()).as("one upstream connection served all").isEqualTo(1);
        long idleFrom = System.nanoTime();
        while (open.get() > 0 && System.nanoTime() - idleFrom < 5_000_000_000L) Thread.sleep(10);
        assertThat(open.get()).isZero();
        assertThat(System.nanoTime() - idleFrom).as("closed after 300 ms idle").isGreaterThan(200_000_000L);
      }
    } finally {
      await(server.close());
    }
    assertThat(h.fastPathRequests()).isEqualTo(7.0);
  }

  /**
   * The route timeout is each request's own: one timer per connection follows the request in flight, so a timer
   * armed by an earlier request neither cuts a later fast one short nor lets a slow one run past its own deadline.
   */
  @Test
  void theRouteTimeoutOnAKeepAliveConnectionIsEachRequestsOwn() throws Exception {
    int port = h.upstream(req -> {
      if (req.path().equals("/slow")) h.vertx.setTimer(2_000, id -> req.response().end("too late"));
      else h.vertx.setTimer(60, id -> req.response().end("ok"));
    });
    h.start(1, route(port, "").replace("timeout: 2s", "timeout: 300ms"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (int i = 0; i < 8; i++) { // 8 × (60 + 60) ms: past the first request's deadline, each well within its own
        assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("ok");
        Thread.sleep(60);
      }
      long start = System.nanoTime();
      RawHttpClient.Response slow = client.exchange("GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(slow.status()).isEqualTo(504);
      assertThat(slow.header(ResponseFlag.HEADER)).isEqualTo("UT");
      assertThat(millis).isBetween(280L, 1_500L);
      assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("ok");
    }
    assertThat(h.fastPathRequests()).isEqualTo(10.0);
  }

  @Test
  void chunkedAndCloseDelimitedResponsesReachTheClientIntact() throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of(OK,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the upstream closes"))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        firstRequest(client);
        RawHttpClient.Response chunked = client.exchange("GET /api/chunked HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(chunked.body()).isEqualTo("hello world");
        assertThat(chunked.trailers()).containsEntry("x-sum", "2");
        assertThat(chunked.header("x-a")).isEqualTo("1");
        RawHttpClient.Response untilClose = client.exchange("GET /api/close HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(untilClose.body()).isEqualTo("until the upstream closes");
        assertThat(untilClose.header("connection")).isEqualTo("close");
        assertThat(client.atEndOfStream()).isTrue();
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
  }

  /**
   * The byte-level path copies response heads rather than rebuilding them, as nginx and HAProxy do; what it copies
   * must still be what they would send: lines ended by CRLF when the upstream ended them with a bare LF (RFC 9112
   * §2.2), one Content-Length where the upstream repeated it, none in a 204 or 1xx (RFC 9110 §8.6).
   */
  @Test
  void responseHeadsGoOutWithCrlfLineEndsAndNoRepeatedOrForbiddenContentLength() throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of(
        "HTTP/1.1 200 OK\nContent-Length: 2\nContent-Length: 2\nX-A: 1\n\nok",
        "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-B: 2\r\n\r\n",
        "HTTP/1.1 103 Early Hints\nLink: </a.css>\n\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast"))) {
      h.start(1, route(upstream.port(), ""));
      try (Socket client = new Socket("127.0.0.1", h.proxyPort)) {
        client.setSoTimeout(5000);
        assertThat(rawExchange(client, "/api/bare-lf", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\nvia: 1.1 sidecar\r\n\r\nok"))
            .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\nvia: 1.1 sidecar\r\n\r\nok");
        assertThat(rawExchange(client, "/api/no-content", "HTTP/1.1 204 No Content\r\nX-B: 2\r\nvia: 1.1 sidecar\r\n\r\n"))
            .isEqualTo("HTTP/1.1 204 No Content\r\nX-B: 2\r\nvia: 1.1 sidecar\r\n\r\n");
        String hinted = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\nvia: 1.1 sidecar\r\n\r\nlast";
        assertThat(rawExchange(client, "/api/hinted", hinted)).isEqualTo(hinted);
      }
      assertThat(upstream.connections()).isEqualTo(1);
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
  }

  /**
   * The full path reads bare-LF response heads too ({@link UpstreamConnectionSetup}; Netty's decoder refused them, 502 UPE),
   * and sends them on rebuilt with CRLF, whatever frames the body (a chunked body's own lines too:
   * {@link BareLfChunkedBodyTest}).
   */
  @Test
  void aResponseHeadWithBareLfLineEndsIsReadOnTheFullPathToo() throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of(
        "HTTP/1.1 200 OK\nContent-Length: 2\nX-A: 1\n\nok",
        "HTTP/1.1 201 Created\nTransfer-Encoding: chunked\nX-A: 2\n\n2\r\nok\r\n0\r\n\r\n"))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response first = client.exchange(fullPathRequest("/api/bare-lf"));
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("x-a")).isEqualTo("1");
        assertThat(first.body()).isEqualTo("ok");
        RawHttpClient.Response chunked = client.exchange(fullPathRequest("/api/bare-lf-chunked"));
        assertThat(chunked.status()).isEqualTo(201);
        assertThat(chunked.header("x-a")).isEqualTo("2");
        assertThat(chunked.body()).isEqualTo("ok");
      }
    }
    assertThat(h.fastPathRequests()).isZero();
  }

  /**
   * The pool closes an idle upstream connection before the upstream's own Keep-Alive timeout, on the byte-level path
   * and on the full path ({@link KeepAliveMargin}): the upstream closes it at that timeout, and a request sent just
   * then is lost with it (a POST gets 502). The upstream here announces 2 s; after
   * 1.6 s of rest the next request goes out on a new connection (closed at 1 s, or within 1.25 s on the full path).
   * Without the field the pooled connection serves it (the pool's idle_timeout is 60 s).
   */
  @ParameterizedTest(name = "fast_path: {0}, Keep-Alive field: {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void anIdleConnectionIsClosedBeforeTheUpstreamsKeepAliveTimeout(boolean fastPath, boolean announced) throws Exception {
    String answer = announced ? "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2, max=100\r\nContent-Length: 2\r\n\r\nok" : OK;
    try (RawUpstream upstream = new RawUpstream(List.of(answer, answer))) {
      h.start(1, route(upstream.port(), "fast_path: " + fastPath));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response first = client.exchange("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("keep-alive")).as("hop-by-hop: not forwarded").isNull();
        Thread.sleep(1_600);
        assertThat(client.exchange("GET /api/b HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      }
      assertThat(upstream.connections()).isEqualTo(announced ? 2 : 1);
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0);
  }

  /**
   * An HTTP/1.0 upstream's answer goes out with the sidecar's own version, HTTP/1.1 (RFC 9110 §2.5: an intermediary
   * does not forward the version it received), on both paths; Via says what was received. The byte-level path sent
   * "HTTP/1.0 200" on. (Via: "1.0 sidecar", the received version, RFC 9110 §7.6.3; {@link ViaVersionTest}.)
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void anHttp10UpstreamIsAnsweredInHttp11(boolean fastPath) throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold"))) {
      h.start(1, route(upstream.port(), "fast_path: " + fastPath));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response reply = client.exchange("GET /api/old HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(reply.version()).isEqualTo("HTTP/1.1");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("old");
        assertThat(reply.header("via")).isEqualTo("1.0 sidecar");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 1 : 0);
  }

  /**
   * HTTP/1.0 clients (ApacheBench, old monitoring agents) on the byte-level path, as nginx serves them: the request
   * goes upstream as HTTP/1.1 on a pooled connection, Via says "1.0" (the received version); a kept-alive client
   * (Connection: keep-alive) gets {@code Connection: keep-alive} on a response with a length and keeps its
   * connection; a chunked answer reaches it decoded (no Transfer-Encoding, trailers dropped: RFC 9112 §7.1) with
   * {@code Connection: close}, and the close ends it; a client without keep-alive gets {@code Connection: close}.
   * The full path served all of these before.
   */
  @Test
  void anHttp10ClientIsServedOnTheByteLevelPathWithKeepAliveAndChunkedBodiesDecoded() throws Exception {
    int port = h.upstream(req -> {
      JsonObject seen = new JsonObject().put("version", req.version().name()).put("via", req.getHeader("via"));
      if (req.path().endsWith("/chunked")) {
        req.response().setChunked(true).putTrailer("x-checksum", "abc").write("abc")
            .compose(v -> req.response().write("defg")).compose(v -> req.response().end(seen.encode()));
      } else {
        req.response().end(seen.encode());
      }
    });
    h.start(1, route(port, ""));
    String keepAlive = " HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: a\r\nUser-Agent: ApacheBench/2.3\r\n\r\n";
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      for (int i = 0; i < 2; i++) {
        RawHttpClient.Response sized = client.exchange("GET /api/sized" + keepAlive);
        assertThat(sized.version()).isEqualTo("HTTP/1.1");
        assertThat(sized.status()).isEqualTo(200);
        assertThat(sized.header("connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(new JsonObject(sized.body())).isEqualTo(new JsonObject().put("version", "HTTP_1_1").put("via", "1.0 sidecar"));
      }
      RawHttpClient.Response chunked = client.exchange("GET /api/chunked" + keepAlive); // read until the close
      assertThat(chunked.status()).isEqualTo(200);
      assertThat(chunked.header("connection")).isEqualToIgnoringCase("close");
      assertThat(chunked.header("transfer-encoding")).isNull();
      assertThat(chunked.header("content-length")).isNull();
      assertThat(chunked.body()).startsWith("abcdefg{").endsWith("}");
      assertThat(client.atEndOfStream()).isTrue();
    }
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      client.write("HEAD /api/chunked" + keepAlive); // no body: the connection stays
      RawHttpClient.Response head = client.readHeadOnly();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("transfer-encoding")).isNull();
      assertThat(head.header("connection")).isEqualToIgnoringCase("keep-alive");
      RawHttpClient.Response closing = client.exchange("GET /api/sized HTTP/1.0\r\nHost: a\r\n\r\n");
      assertThat(closing.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(h.fastPathRequests()).isEqualTo(5.0);
    assertThat(h.handovers()).isZero();
  }

  /**
   * Expect: 100-continue (curl sends it with any body over 1 KiB): the client gets the sidecar's own 100 and then sends
   * the body, on both paths, and the upstream sees no Expect (it is answered here, as nginx and Envoy answer it). The
   * byte-level path served it; it left such requests to Vert.x before.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aClientExpectingContinueGetsA100ThenItsBodyIsForwarded(boolean fastPath) throws Exception {
    h.start(1, route(echoUpstream(), "fast_path: " + fastPath));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      for (int i = 0; i < 2; i++) {
        client.write("POST /api/upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertThat(client.read().status()).as("request %d", i).isEqualTo(100);
        client.write("hello");
        RawHttpClient.Response reply = client.read();
        assertThat(reply.status()).isEqualTo(200);
        JsonObject seen = new JsonObject(reply.body());
        assertThat(seen.getString("body")).isEqualTo("hello");
        assertThat(seen.containsKey("expect")).isFalse();
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0);
    assertThat(h.handovers()).isZero();
  }

  /**
   * No 100 before an upstream connection is there for the body: when none can be had, the client that waits for a
   * 100 gets the 503 instead and the connection closes (the body it did not send cannot be told from a next request).
   */
  @Test
  void aClientExpectingContinueGetsNo100WhenNoUpstreamCanTakeTheBody() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    h.start(1, route(closedPort, ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      client.write("POST /api/upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
      RawHttpClient.Response reply = client.read();
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /**
   * A chunked answer with another transfer coding cannot reach an HTTP/1.0 client: decoding the chunks would leave a
   * gzip-coded body it has no field to learn of. 502 UPE, as nginx refuses such an upstream response; the sidecar's
   * own answers keep a kept-alive HTTP/1.0 connection and say so.
   */
  @Test
  void anHttp10ClientGetsA502ForAnotherTransferCodingAndKeepsItsConnection() throws Exception {
    String coded = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nzz\r\n0\r\n\r\n";
    try (RawUpstream upstream = new RawUpstream(List.of(coded, OK, OK))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
        String request = "GET /api/x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n";
        RawHttpClient.Response refused = client.exchange(request);
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.header("x-sidecar-flags")).isEqualTo("UPE");
        assertThat(refused.header("connection")).isEqualToIgnoringCase("keep-alive");
        RawHttpClient.Response next = client.exchange(request);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("ok");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }

  /** Many small chunks in one read, then one more after a pause: the HTTP/1.0 client gets exactly their data. */
  @Test
  void manySmallChunksReachAnHttp10ClientAsTheirData() throws Exception {
    StringBuilder answer = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      String piece = Integer.toString(i % 10).repeat(i % 3 + 1);
      answer.append(Integer.toHexString(piece.length())).append(i % 2 == 0 ? "\r\n" : ";ext=1\r\n").append(piece).append("\r\n");
      expected.append(piece);
    }
    answer.append(RawUpstream.PAUSE).append("3\r\nend\r\n0\r\nX-T: v\r\n\r\n");
    expected.append("end");
    try (RawUpstream upstream = new RawUpstream(List.of(answer.toString(), OK))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
        RawHttpClient.Response reply = client.exchange("GET /api/x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
        assertThat(reply.header("connection")).isEqualToIgnoringCase("close");
        assertThat(reply.body()).isEqualTo(expected.toString());
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /** A fresh hit for a kept-alive HTTP/1.0 client is answered on the byte-level path with Connection: keep-alive. */
  @Test
  void aCacheHitForAnHttp10KeepAliveClientSaysKeepAliveAndKeepsTheConnection() throws Exception {
    AtomicInteger upstreamRequests = new AtomicInteger();
    startWithACachedRoute(upstreamRequests);
    String request = "GET /cached/x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n";
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      for (int i = 0; i < 3; i++) {
        RawHttpClient.Response reply = client.exchange(request);
        assertThat(reply.body()).isEqualTo("/x");
        assertThat(reply.header("x-cache")).as("request %d", i).isEqualTo(i == 0 ? "MISS" : "HIT");
        assertThat(reply.header("connection")).as("request %d", i).isEqualToIgnoringCase("keep-alive");
      }
      RawHttpClient.Response last = client.exchange("GET /cached/x HTTP/1.0\r\nHost: a\r\n\r\n");
      assertThat(last.header("x-cache")).isEqualTo("HIT");
      assertThat(last.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(upstreamRequests.get()).isEqualTo(1);
    assertThat(h.fastPathRequests()).as("the three hits").isEqualTo(3.0);
  }

  /**
   * A response whose body is malformed from its first byte (a chunk size that is not hex) fails before any byte of it
   * went downstream: the client gets 502 UPE, on the full path and on a cache route alike, not a connection closed
   * without an answer (the cache route did that), and nothing is stored.
   */
  @ParameterizedTest(name = "cache: {0}")
  @ValueSource(booleans = {true, false})
  void aBodyMalformedFromItsFirstByteIsAnswered502(boolean cache) throws Exception {
    String malformed = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: max-age=60\r\n\r\nzz\r\nok\r\n0\r\n\r\n";
    try (RawUpstream upstream = new RawUpstream(List.of(malformed, malformed, OK))) {
      h.start(1, "server: { fast_path: false }\n"
          + ProxyHarness.singleRoute(upstream.port(), cache ? "    cache: { enabled: true, default_ttl: 60s }\n" : ""));
      for (int i = 0; i < 2; i++) {
        try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
          RawHttpClient.Response reply = client.exchange("GET /api/malformed HTTP/1.1\r\nHost: a\r\n\r\n");
          assertThat(reply.status()).as("request %d", i).isEqualTo(502);
          assertThat(reply.header("x-sidecar-flags")).isEqualTo("UPE");
        }
      }
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange("GET /api/malformed HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("ok");
      }
    }
  }

  /**
   * An upstream that resets its connections: each request is answered 502 UR and counted, and nothing is logged at
   * WARNING or above ({@link UpstreamConnectionSetup}). Vert.x logged each reset at SEVERE, on the event loop.
   */
  @Test
  void anUpstreamResettingItsConnectionsIsAnsweredAndCountedNotLoggedAtEachRequest() throws Exception {
    List<java.util.logging.LogRecord> loud = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) loud.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.addHandler(capture);
    try (RawUpstream upstream = new RawUpstream(java.util.Collections.nCopies(10, RawUpstream.RESET))) {
      h.start(1, route(upstream.port(), ""));
      for (int i = 0; i < 4; i++) {
        try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
          RawHttpClient.Response reply = client.exchange(i % 2 == 0 ? fullPathRequest("/api/reset")
              : "GET /api/reset HTTP/1.1\r\nHost: a\r\n\r\n");
          assertThat(reply.status()).isEqualTo(502);
          assertThat(reply.header(ResponseFlag.HEADER)).isEqualTo("UR");
        }
      }
    } finally {
      root.removeHandler(capture);
    }
    assertThat(loud).extracting(r -> r.getLoggerName() + ": " + r.getMessage()).isEmpty();
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }

  /** Sends a GET for {@code path} and reads as many bytes as {@code expected} has (or until the stream ends). */
  private static String rawExchange(Socket client, String path, String expected) throws IOException {
    client.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    byte[] got = client.getInputStream().readNBytes(expected.length());
    return new String(got, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aSmallBodyReachesTheClientWholeWhetherItCameWithItsHeadOrAfterIt() throws Exception {
    String pause = RawUpstream.PAUSE;
    try (RawUpstream upstream = new RawUpstream(List.of(OK,
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: whole\r\n\r\nhello world",
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: head first\r\n\r\n" + pause + "hello world",
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: split\r\n\r\nhello" + pause + " world",
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast"))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        firstRequest(client);
        for (String how : List.of("whole", "head first", "split")) {
          RawHttpClient.Response reply = client.exchange("GET /api/" + how.replace(' ', '-') + " HTTP/1.1\r\nHost: a\r\n\r\n");
          assertThat(reply.header("x-a")).isEqualTo(how);
          assertThat(reply.header("content-length")).isEqualTo("11");
          assertThat(reply.body()).isEqualTo("hello world");
        }
        // nothing of those bodies was left over to be read as the next response, so one connection served all
        assertThat(client.exchange("GET /api/last HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("last");
      }
      assertThat(upstream.connections()).isEqualTo(1);
    }
    assertThat(h.fastPathRequests()).isEqualTo(5.0);
  }

  @Test
  void bodiesAtAndJustAboveTheInlineLimitReachTheClientWholeOnOneUpstreamConnection() throws Exception {
    int limit = FastPathUpstream.INLINE_BODY_MAX;
    String atLimit = "a".repeat(limit - 1) + "A";
    String aboveLimit = "b".repeat(limit) + "B";
    try (RawUpstream upstream = new RawUpstream(List.of(OK,
        "HTTP/1.1 200 OK\r\nContent-Length: " + limit + "\r\n\r\n" + atLimit,
        "HTTP/1.1 200 OK\r\nContent-Length: " + (limit + 1) + "\r\n\r\n" + aboveLimit,
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast"))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        firstRequest(client);
        assertThat(client.exchange("GET /api/at HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo(atLimit);
        assertThat(client.exchange("GET /api/above HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo(aboveLimit);
        assertThat(client.exchange("GET /api/one HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("x");
        assertThat(client.exchange("GET /api/last HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("last");
      }
      assertThat(upstream.connections()).isEqualTo(1);
    }
    assertThat(h.fastPathRequests()).isEqualTo(5.0);
  }

  @Test
  void anUpstreamThatClosesBeforeAnsweringIs502URWithTheFlagAndReason() throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of(OK, "HTTP/1.1 200 OK\r\nContent-Le"))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        firstRequest(client);
        RawHttpClient.Response reply = client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.header("x-sidecar-flags")).isEqualTo("UR");
        assertThat(reply.body()).startsWith("upstream reset: ");
      }
    }
    awaitCount("5xx", 1.0);
  }

  /**
   * An upstream that closes a kept-alive connection as idle just as a request goes out on it (RFC 9112 §9.3.1): an
   * idempotent request without a body is sent once more, on a new connection, and the client never sees the race.
   * A request with a body, and one on a connection's first exchange, are not sent twice.
   */
  @Test
  void aRequestOnAKeptAliveConnectionTheUpstreamClosedIsSentAgainOnANewOneWhenItMayBe() throws Exception {
    String close = RawUpstream.CLOSE;
    try (RawUpstream upstream = new RawUpstream(List.of(OK, close, OK, OK, close, close))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange("GET /api/1 HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        // the upstream closes the connection on the second request; a new one serves it
        RawHttpClient.Response resent = client.exchange("GET /api/2 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(resent.status()).isEqualTo(200);
        assertThat(resent.body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(2);
        assertThat(client.exchange("GET /api/3 HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        // a body is not sent twice
        RawHttpClient.Response put = client.exchange("PUT /api/4 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(put.status()).isEqualTo(502);
        assertThat(put.header("x-sidecar-flags")).isEqualTo("UR");
      }
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        // nor is a request its connection's first exchange failed: the upstream itself failed it
        RawHttpClient.Response first = client.exchange("GET /api/5 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(first.status()).isEqualTo(502);
        assertThat(first.header("x-sidecar-flags")).isEqualTo("UR");
      }
      assertThat(upstream.connections()).isEqualTo(3);
    }
    assertThat(h.fastPathRequests()).isEqualTo(5.0);
    assertThat(resends()).isEqualTo(1.0);
  }

  private double resends() {
    var c = h.registry.find("sidecar_upstream_resends").counter();
    return c == null ? 0 : c.count();
  }

  /** The same race on the full path, and on a caching route's way to the origin (misses: nothing here is stored). */
  @ParameterizedTest
  @ValueSource(strings = {"full path", "cache miss"})
  void onTheOtherPathsTooARequestOnAKeptAliveConnectionTheUpstreamClosedIsSentAgainWhenItMayBe(String path)
      throws Exception {
    String close = RawUpstream.CLOSE;
    try (RawUpstream upstream = new RawUpstream(List.of(OK, close, OK, close))) {
      h.start(1, path.equals("full path") ? route(upstream.port(), "")
          : ProxyHarness.singleRoute(upstream.port(), "    cache: { enabled: true }\n"));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange(fullPathRequest("/api/1")).status()).isEqualTo(200);
        RawHttpClient.Response resent = client.exchange(fullPathRequest("/api/2"));
        assertThat(resent.status()).isEqualTo(200);
        assertThat(resent.body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(2);
        // a body is not sent twice
        RawHttpClient.Response put = client.exchange("PUT /api/3 HTTP/1.1\r\nHost: a\r\nKeep-Alive: timeout=5\r\n"
            + "Content-Length: 2\r\n\r\nhi");
        assertThat(put.status()).isEqualTo(502);
        assertThat(put.header("x-sidecar-flags")).isEqualTo("UR");
      }
    }
    assertThat(h.fastPathRequests()).isZero();
    assertThat(resends()).isEqualTo(1.0);
  }

  /**
   * A path with dot segments is routed, and sent upstream, as the upstream will resolve it (RFC 3986 §5.2.4, as
   * Envoy's {@code normalize_path} and nginx do): {@code /api/../admin} does not match the {@code /api/} route
   * any more, so no route's policy can be stepped around, and what does match arrives resolved.
   */
  @Test
  void dotSegmentsAreResolvedBeforeRoutingAndForwarding() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (String escaped : List.of("..", "%2e%2e", "%2E.")) {
        RawHttpClient.Response out = client.exchange("GET /api/" + escaped + "/admin HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out.status()).as(escaped).isEqualTo(404);
        assertThat(out.header("x-sidecar-flags")).isEqualTo("NR");
      }
      RawHttpClient.Response in = client.exchange("GET /api/x/./../%76?q=./.. HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(in.status()).isEqualTo(200);
      assertThat(new JsonObject(in.body()).getString("uri")).isEqualTo("/v?q=./..");
      RawHttpClient.Response full = client.exchange(fullPathRequest("/api/x/../w"));
      assertThat(new JsonObject(full.body()).getString("uri")).isEqualTo("/w");
      // a normal path stays on the byte-level path
      assertThat(new JsonObject(client.exchange("GET /api/y HTTP/1.1\r\nHost: a\r\n\r\n").body()).getString("uri"))
          .isEqualTo("/y");
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /** With {@code server.normalize_path: false} (Envoy's default) paths are routed and sent as the client wrote them. */
  @Test
  void withNormalisationOffAPathGoesAsSent() throws Exception {
    h.start(1, route(echoUpstream(), "normalize_path: false"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (String request : List.of("GET /api/x/../%76 HTTP/1.1\r\nHost: a\r\n\r\n", fullPathRequest("/api/x/../%76"))) {
        RawHttpClient.Response out = client.exchange(request);
        assertThat(out.status()).isEqualTo(200);
        assertThat(new JsonObject(out.body()).getString("uri")).isEqualTo("/x/../%76");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /** On a caching route the normalised path is the cache's key too: both spellings are one entry, fetched once. */
  @Test
  void aPathWithDotSegmentsIsCachedAndFetchedUnderItsNormalisedForm() throws Exception {
    AtomicInteger upstreamRequests = new AtomicInteger();
    startWithACachedRoute(upstreamRequests);
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response miss = client.exchange("GET /cached/x/../%70age HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(miss.body()).isEqualTo("/page");
      RawHttpClient.Response hit = client.exchange("GET /cached/page HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(hit.body()).isEqualTo("/page");
      assertThat(hit.header("x-cache")).isEqualTo("HIT");
    }
    assertThat(upstreamRequests.get()).isEqualTo(1);
  }

  /** Response heads both paths reject: each is 502 UPE on the full path (Vert.x's decoder) and on the byte-level one. */
  @ParameterizedTest
  @ValueSource(strings = {
      "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok", // a status outside 100..599
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nX: a\u0000b\r\nContent-Length: 2\r\n\r\nok",
      "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
      "NOT HTTP AT ALL\r\n\r\n"})
  void aMalformedResponseHeadIs502UpeOnBothPaths(String head) throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of(head, head))) {
      h.start(1, route(upstream.port(), ""));
      for (int i = 0; i < 2; i++) {
        try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
          RawHttpClient.Response reply = client.exchange(i == 0 ? fullPathRequest("/api/bad")
              : "GET /api/bad HTTP/1.1\r\nHost: a\r\n\r\n");
          assertThat(reply.status()).as(i == 0 ? "full path" : "byte-level path").isEqualTo(502);
          assertThat(reply.header("x-sidecar-flags")).as(i == 0 ? "full path" : "byte-level path").isEqualTo("UPE");
        }
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /**
   * A body that breaks before any of it could be relayed: the full path, which has not written the head yet, answers
   * 502 UPE (the client used to get the connection closed with no answer at all); the byte-level path, which sent
   * the head on, breaks the connection before the body's end.
   */
  @Test
  void aChunkedBodyThatBreaksAtOnceIs502UpeOnTheFullPathAndACutConnectionOnTheByteLevelOne() throws Exception {
    String broken = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n";
    try (RawUpstream upstream = new RawUpstream(List.of(broken, broken))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response reply = client.exchange(fullPathRequest("/api/broken"));
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.header("x-sidecar-flags")).isEqualTo("UPE");
        assertThat(reply.body()).startsWith("upstream protocol error");
      }
      try (Socket client = new Socket("127.0.0.1", h.proxyPort)) {
        client.setSoTimeout(5000);
        client.getOutputStream().write("GET /api/broken HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String got = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(got).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("0\r\n\r\n");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  @Test
  void aStatusOutsideTheRangeIs502UpeOnACachedRouteTooAndIsNotStored() throws Exception {
    String odd = "HTTP/1.1 999 Odd\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok";
    try (RawUpstream upstream = new RawUpstream(List.of(odd, odd))) {
      h.start(1, ProxyHarness.singleRoute(upstream.port(), "    cache: { enabled: true }\n"));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 2; i++) { // the second is not a hit: nothing was stored
          RawHttpClient.Response reply = client.exchange("GET /api/odd HTTP/1.1\r\nHost: a\r\n\r\n");
          assertThat(reply.status()).isEqualTo(502);
          assertThat(reply.header("x-sidecar-flags")).isEqualTo("UPE");
        }
      }
    }
  }

  @Test
  void earlyHintsReachHttp11ClientsOnBothPathsButNotHttp10Ones() throws Exception {
    String hinted = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + OK;
    try (RawUpstream upstream = new RawUpstream(List.of(hinted, hinted, hinted))) {
      h.start(1, route(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 2; i++) { // the full path, then the byte-level path
          client.write(i == 0 ? fullPathRequest("/api/page") : "GET /api/page HTTP/1.1\r\nHost: a\r\n\r\n");
          RawHttpClient.Response hints = client.readHeadOnly();
          assertThat(hints.status()).as("request %d", i).isEqualTo(103);
          assertThat(hints.header("link")).isEqualTo("</a.css>; rel=preload");
          RawHttpClient.Response page = client.read();
          assertThat(page.status()).isEqualTo(200);
          assertThat(page.body()).isEqualTo("ok");
        }
      }
      try (RawHttpClient old = new RawHttpClient(h.proxyPort)) {
        // RFC 9110 §15.2: an HTTP/1.0 client cannot read a 1xx
        RawHttpClient.Response page = old.exchange("GET /api/page HTTP/1.0\r\nHost: a\r\n\r\n");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("ok");
      }
    }
    assertThat(h.fastPathRequests()).as("the second, and the HTTP/1.0 one").isEqualTo(2.0);
  }

  @Test
  void aDownstreamConnectionSilentForTheIdleTimeoutIsClosedButAStreamWithShorterGapsIsNot() throws Exception {
    // a body in 6 pieces 150 ms apart: 0.75 s in all, never 400 ms silent
    int port = h.upstream(req -> h.pacedBody(req, 6, 150));
    h.start(1, route(port, "idle_timeout: 400ms"));
    try (RawHttpClient silent = new RawHttpClient(h.proxyPort); RawHttpClient served = new RawHttpClient(h.proxyPort)) {
      for (int i = 0; i < 2; i++) { // the full path, then the byte-level path
        RawHttpClient.Response stream = served.exchange(i == 0 ? fullPathRequest("/api/stream")
            : "GET /api/stream HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.body()).isEqualTo("p0;p1;p2;p3;p4;p5;");
      }
      long start = System.nanoTime();
      assertThat(served.atEndOfStream()).as("closed once silent").isTrue();
      assertThat(silent.atEndOfStream()).as("a connection that never sent a byte is closed too").isTrue();
      assertThat(System.nanoTime() - start).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /** Three requests, each on a connection of its own (a client without keep-alive): all on the byte-level path. */
  private void threeConnectionsOfOneRequestTakeTheByteLevelPath() throws IOException {
    for (int i = 0; i < 3; i++) {
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response reply = client.exchange("GET /api/once HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(new JsonObject(reply.body()).getString("uri")).isEqualTo("/once");
        assertThat(client.atEndOfStream()).isTrue();
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
    assertThat(h.handovers()).isZero();
  }

  @Test
  void onAListenerThatAlsoSpeaksH2cAConnectionPerRequestTakesTheByteLevelPathAndH2cStillWorks() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    threeConnectionsOfOneRequestTakeTheByteLevelPath();
    for (boolean upgrade : new boolean[] {false, true}) { // prior knowledge (a preface), then the HTTP/1.1 upgrade
      io.vertx.core.http.HttpClient h2c = h.httpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(upgrade));
      HttpClientResponse response = await(h.onClientContext(() -> h2c.request(HttpMethod.GET, h.proxyPort,
          "127.0.0.1", "/api/h2").compose(req -> req.send())));
      assertThat(response.statusCode()).as("upgrade %s", upgrade).isEqualTo(200);
      assertThat(response.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_2);
      await(h2c.close());
    }
    assertThat(h.fastPathRequests()).isEqualTo(3.0);
    assertThat(h.handovers()).as("the upgrade request, not the preface").isEqualTo(1.0);
  }

  @Test
  void aGracefulShutdownClosesConnectionsVertxNeverSawAtOnceNotAfterTheGrace() throws Exception {
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient served = new RawHttpClient(h.proxyPort); RawHttpClient silent = new RawHttpClient(h.proxyPort)) {
      firstRequest(served); // served by the byte-level path alone: Vert.x has not announced the connection
      long start = System.nanoTime();
      var shutdown = h.dataPlane.shutdown(java.time.Duration.ofSeconds(30));
      assertThat(served.atEndOfStream()).isTrue();
      assertThat(silent.atEndOfStream()).as("a connection that never sent a byte").isTrue();
      await(shutdown);
      assertThat(System.nanoTime() - start).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
    }
  }

  @Test
  void aConnectionTheByteLevelPathKeepsBusyOutlivesTheIdleTimeoutAndIsClosedOnceSilent() throws Exception {
    h.start(1, route(echoUpstream(), "idle_timeout: 400ms"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (int i = 0; i < 12; i++) { // 1.2 s of requests 100 ms apart: never 400 ms silent
        assertThat(client.exchange("GET /api/n HTTP/1.1\r\nHost: a\r\n\r\n").status()).as("request %d", i)
            .isEqualTo(200);
        Thread.sleep(100);
      }
      long start = System.nanoTime();
      assertThat(client.atEndOfStream()).isTrue();
      assertThat(System.nanoTime() - start).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
    }
    assertThat(h.fastPathRequests()).isEqualTo(12.0);
  }

  @Test
  void onAListenerWithoutH2cTheFirstRequestOfEachConnectionTakesTheByteLevelPath() throws Exception {
    int port = echoUpstream();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}", h2c: false } ]
        routes: [ { name: api, match: { path_prefix: /api/ }, rewrite_prefix: /, cluster: app, timeout: 2s } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(port));
    threeConnectionsOfOneRequestTakeTheByteLevelPath();
    // HTTP/2 with prior knowledge is not spoken here: the preface is no HTTP/1.1 request
    io.vertx.core.http.HttpClient h2c = h.httpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    io.vertx.core.Future<Integer> status = h.onClientContext(() -> h2c.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/api/x")
        .compose(req -> req.send()).map(HttpClientResponse::statusCode));
    assertThat(status.toCompletionStage().toCompletableFuture()
        .handle((code, failure) -> failure != null || code >= 400).get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withFastPathOffEveryRequestTakesTheFullPath() throws Exception {
    h.start(1, route(echoUpstream(), "fast_path: false"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      assertThat(client.exchange("GET /api/one HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.fastPathRequests()).isZero();
    assertThat(h.handovers()).isZero();
  }

  /**
   * A retrying route's requests are the byte-level path's: a body that fits the replay buffer is read whole first, a
   * larger one streams.
   */
  @Test
  void aRouteWithRetriesServesBodiesItCanReplayAndStreamsLargerOnes() throws Exception {
    h.start(1, route(echoUpstream(), "").replace("timeout: 2s", "timeout: 2s\n    retry: { attempts: 2, max_buffered_body: 4 }"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      RawHttpClient.Response small = client.exchange("POST /api/two HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
      assertThat(new JsonObject(small.body()).getString("body")).isEqualTo("hi");
      RawHttpClient.Response large = client.exchange("POST /api/three HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(new JsonObject(large.body()).getString("body")).isEqualTo("hello");
      assertThat(client.exchange("GET /api/four HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.fastPathRequests()).isEqualTo(4.0);
    assertThat(h.handovers()).isZero();
  }

  /** Fault injection with {@code seed} and one rule on route api: 418 for {@code percent} % of X-Chaos: on. */
  private void chaosRule(long seed, int percent) {
    var faults = io.sidecar.fault.FaultInjection.create(h.vertx,
        io.sidecar.fault.FaultInjectionConfigParser.parse(Map.of("seed", seed), "").orThrow(),
        io.sidecar.fault.experiment.RouteSignals.NONE, new io.sidecar.fault.InMemoryAuditLog());
    h.runtime.useFaults(faults.registry());
    faults.registry().add(io.sidecar.fault.parse.FaultSpecParser.parse(Map.of("name", "chaos", "route", "api",
        "percent", percent, "headers", Map.of("x-chaos", Map.of("exact", "on")), "abort", Map.of("status", 418)), "")
        .orThrow(), "test");
  }

  @Test
  void aFaultThatFiresIsInjectedOnTheFullPathWithTheDecisionTheByteLevelPathMade() throws Exception {
    chaosRule(7L, 100);
    h.start(1, route(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      assertThat(client.exchange("GET /api/calm HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      assertThat(h.fastPathRequests()).isEqualTo(2.0); // a rule that does not match keeps the byte-level path
      RawHttpClient.Response faulted = client.exchange("GET /api/chaos HTTP/1.1\r\nHost: a\r\nX-Chaos: on\r\n\r\n");
      assertThat(faulted.status()).isEqualTo(418);
      assertThat(faulted.header("x-sidecar-flags")).isEqualTo("FI");
      assertThat(client.exchange("GET /api/after HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }
    assertThat(h.handovers()).isEqualTo(1.0);
    assertThat(h.fastPathRequests()).isEqualTo(3.0); // first, calm and, behind the faulted one, after
  }

  @Test
  void aFaultFiresAtItsPercentageAcrossTheHandOver() throws Exception {
    chaosRule(11L, 50);
    h.start(1, route(echoUpstream(), ""));
    int connections = 300;
    int fired = 0;
    for (int i = 0; i < connections; i++) {
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        firstRequest(client); // the next request meets the byte-level path too, which draws once
        if (client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Chaos: on\r\n\r\n").status() == 418) fired++;
      }
    }
    // Binomial(300, 0.5): mean 150, sd 8.7; a second draw on the full path would give 0.25 (mean 75).
    assertThat(fired).isBetween(150 - 35, 150 + 35);
  }

  /**
   * An exchange in flight finishes during a graceful shutdown, and its response says {@code connection: close} (as
   * nginx's and Envoy's do while they drain: {@link Draining}), on both paths; then the connection closes.
   */
  @ParameterizedTest(name = "byte-level: {0}")
  @ValueSource(booleans = {true, false})
  void anExchangeInFlightFinishesDuringShutdownWithConnectionClose(boolean byteLevel) throws Exception {
    int port = h.upstream(req -> {
      if (req.path().equals("/first")) req.response().end("ok");
      else h.vertx.setTimer(600, id -> req.response().end("finished"));
    });
    h.start(1, route(port, ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      firstRequest(client);
      client.write(byteLevel ? "GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n" : fullPathRequest("/api/slow"));
      Thread.sleep(200);
      var shutdown = h.dataPlane.shutdown(java.time.Duration.ofSeconds(5));
      RawHttpClient.Response reply = client.read();
      assertThat(reply.body()).isEqualTo("finished");
      assertThat(reply.header("connection")).isEqualTo("close");
      await(shutdown);
      assertThat(client.atEndOfStream()).isTrue();
    }
    // on the byte-level path, Vert.x never saw this connection: the byte-level path closed it
    assertThat(h.fastPathRequests()).isEqualTo(byteLevel ? 2.0 : 1.0);
  }

  private void awaitCount(String statusClass, double expected) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      var c = h.registry.find("sidecar_requests").tag("status_class", statusClass).counter();
      if (c != null && c.count() >= expected) break;
      Thread.onSpinWait();
    }
    assertThat(h.registry.get("sidecar_requests").tag("status_class", statusClass).counter().count()).isEqualTo(expected);
  }

  /**
   * An upstream that answers each request it reads, on any connection, with the next canned bytes, and closes the
   * connection that got the last answer. Where an answer holds {@link #PAUSE}, what precedes it is sent and
   * flushed 50 ms before the rest.
   */
  static final class RawUpstream implements AutoCloseable {
    static final String PAUSE = "<pause>";
    /** An answer that closes the connection without a byte, as an upstream closing an idle connection does. */
    static final String CLOSE = "<close>";
    /** An answer that resets the connection (RST) without a byte. */
    static final String RESET = "<reset>";
    private final ServerSocket server;
    private final Thread thread;
    private final AtomicInteger accepted = new AtomicInteger();

    RawUpstream(List<String> answers) throws IOException {
      server = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
      java.util.Deque<String> queue = new java.util.concurrent.LinkedBlockingDeque<>(answers);
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            accepted.incrementAndGet();
            Thread connection = new Thread(() -> serve(s, queue), "raw-upstream-connection");
            connection.setDaemon(true);
            connection.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "raw-upstream");
      thread.setDaemon(true);
      thread.start();
    }

    private static void serve(Socket s, java.util.Deque<String> queue) {
      try (s) {
        InputStream in = s.getInputStream();
        while (readHead(in)) {
          String answer = queue.pollFirst();
          if (RESET.equals(answer)) s.setSoLinger(true, 0); // the close below sends an RST
          if (answer == null || answer.equals(CLOSE) || answer.equals(RESET)) return;
          String[] parts = answer.split(PAUSE, -1);
          for (int i = 0; i < parts.length; i++) {
            if (i > 0) Thread.sleep(50);
            s.getOutputStream().write(parts[i].getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
          }
          if (queue.isEmpty()) return;
        }
      } catch (IOException e) {
        // the proxy closed the connection
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Reads one request head; false at the end of the stream. */
    private static boolean readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) return false;
        head.write(b);
      }
      return true;
    }

    int port() {
      return server.getLocalPort();
    }

    /** The connections it accepted so far. */
    int connections() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
