package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code server.request_header_timeout} ({@link RequestHeadTimeout}) through real sockets, on the byte-level path
 * and on Vert.x's decoder (a request the byte-level path hands over, or {@code fast_path: false}).
 */
class RequestHeadTimeoutTest {
  private static final long TIMEOUT_MS = 300;
  private final ProxyHarness h = new ProxyHarness();
  @TempDir
  Path dir;

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void start(boolean fastPath, String timeout) {
    int upstream = h.upstream(req -> {
      if (req.path().equals("/slow")) h.vertx.setTimer(800, id -> req.response().end("slow"));
      else req.body().onSuccess(body -> req.response().end("ok " + body.length()));
    });
    h.start(1, "server: { fast_path: " + fastPath + ", request_header_timeout: " + timeout + " }\n"
        + ProxyHarness.singleRoute(upstream, "    timeout: 5s\n"));
  }

  /** A request the byte-level path serves, or one it hands to Vert.x (it leaves Keep-Alive fields to Vert.x). */
  private static String request(String path, boolean byteLevel) {
    return "GET " + path + " HTTP/1.1\r\nHost: a\r\n" + (byteLevel ? "" : "Keep-Alive: timeout=5\r\n") + "\r\n";
  }

  private double timeouts() {
    var c = h.registry.find("sidecar_downstream_header_timeouts").counter();
    return c == null ? 0 : c.count();
  }

  private static void assert408(RawHttpClient client) throws IOException {
    RawHttpClient.Response reply = client.read();
    assertThat(reply.status()).isEqualTo(408);
    assertThat(reply.header("connection")).isEqualTo("close");
    assertThat(client.atEndOfStream()).isTrue();
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aConnectionThatNeverSendsAByteIsClosedWithoutAnAnswer(boolean fastPath) throws Exception {
    start(fastPath, TIMEOUT_MS + "ms");
    try (RawHttpClient silent = new RawHttpClient(h.proxyPort)) {
      long start = System.nanoTime();
      assertThat(silent.atEndOfStream()).as("closed, and not one byte came").isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(TIMEOUT_MS - 50, 5_000L);
    }
    assertThat(timeouts()).isEqualTo(1.0);
  }

  /** The classic slowloris: a byte every 60 ms never lets the head finish, and each byte restarts nothing. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aFirstHeadSentAByteAtATimeGets408FromTheAccept(boolean fastPath) throws Exception {
    start(fastPath, TIMEOUT_MS + "ms");
    try (RawHttpClient slow = new RawHttpClient(h.proxyPort)) {
      long start = System.nanoTime();
      try {
        for (char c : "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Slow: 0123456789abcdef".toCharArray()) {
          slow.write(String.valueOf(c));
          Thread.sleep(60);
        }
      } catch (IOException closed) {
        // the sidecar closed the connection while the head was still coming
      }
      assert408(slow);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(TIMEOUT_MS - 50, 2_000L);
    }
    assertThat(timeouts()).isEqualTo(1.0);
  }

  /**
   * A keep-alive connection may stay silent between requests for longer than the timeout (only idle_timeout
   * applies there); a later head is timed from its own first byte.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void betweenRequestsTheConnectionMayRestAndALaterHeadIsTimedFromItsFirstByte(boolean fastPath) throws Exception {
    start(fastPath, TIMEOUT_MS + "ms");
    for (boolean byteLevel : new boolean[] {true, false}) {
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange(request("/api/a", byteLevel)).body()).isEqualTo("ok 0");
        Thread.sleep(2 * TIMEOUT_MS);
        assertThat(client.exchange(request("/api/b", byteLevel)).body()).isEqualTo("ok 0");
        Thread.sleep(2 * TIMEOUT_MS);
        long start = System.nanoTime();
        client.write("GET /api/c HTTP/1.1\r\nHo");
        assert408(client);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(TIMEOUT_MS - 50, 2_000L);
      }
    }
    assertThat(timeouts()).isEqualTo(2.0);
    var byteLevelRequests = h.registry.find("sidecar_fast_path_requests").counter();
    assertThat(byteLevelRequests == null ? 0 : byteLevelRequests.count()).isEqualTo(fastPath ? 2.0 : 0.0);
  }

  /**
   * A response slower than the timeout, a head pipelined behind it (timed from the end of that answer, as HAProxy
   * does), and a body that takes longer than the timeout are no head timeout.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aSlowResponseAPipelinedHeadAndASlowBodyAreNotTimedOut(boolean fastPath) throws Exception {
    start(fastPath, TIMEOUT_MS + "ms");
    for (boolean byteLevel : new boolean[] {true, false}) {
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        // 800 ms to answer; the next head starts at once, goes on 100 ms later and ends 100 ms after the answer
        client.write(request("/api/slow", byteLevel) + "GET /api/next HTTP/1.1\r\n");
        Thread.sleep(100);
        client.write("Ho");
        Thread.sleep(800);
        client.write("st: a\r\n\r\n");
        assertThat(client.read().body()).isEqualTo("slow");
        assertThat(client.read().body()).isEqualTo("ok 0");
        client.write("POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
            + (byteLevel ? "" : "Keep-Alive: timeout=5\r\n") + "\r\n");
        for (char c : "hello".toCharArray()) {
          Thread.sleep(150); // 750 ms of body
          client.write(String.valueOf(c));
        }
        assertThat(client.read().body()).isEqualTo("ok 5");
      }
    }
    assertThat(timeouts()).isZero();
  }

  @Test
  void overTlsTheFirstHeadIsTimedToo() throws Exception {
    Path[] pem = ProxyHarness.selfSignedCertificate(dir);
    int upstream = h.upstream(req -> req.response().end("ok"));
    h.start(1, """
        server: { request_header_timeout: %dms }
        listeners: [ { name: tls, address: "127.0.0.1:{PROXY}", tls: { cert: "%s", key: "%s" } } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(TIMEOUT_MS, pem[0], pem[1], upstream));
    SSLSocket socket = (SSLSocket) TrustAllCertificates.context().getSocketFactory().createSocket("127.0.0.1", h.proxyPort);
    socket.startHandshake();
    try (RawHttpClient client = new RawHttpClient(socket)) {
      assertThat(client.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("ok");
      Thread.sleep(2 * TIMEOUT_MS);
      client.write("GET / HTTP/1.1\r\n");
      assert408(client); // read through TLS: written behind the TLS handler
    }
    assertThat(timeouts()).isEqualTo(1.0);
  }

  /** HTTP/2 and an upgraded connection have no HTTP/1.x head to wait for: idle for longer than the timeout, they serve. */
  @Test
  void http2AndWebSocketConnectionsAreLeftAlone() throws Exception {
    int upstream = await(h.vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
        .requestHandler(req -> req.response().end("ok"))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, "server: { request_header_timeout: " + TIMEOUT_MS + "ms }\n"
        + ProxyHarness.singleRoute(upstream, ""));
    for (boolean upgrade : new boolean[] {false, true}) { // prior knowledge, then the HTTP/1.1 Upgrade: h2c
      HttpClient h2c = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(upgrade));
      for (int i = 0; i < 2; i++) {
        String body = await(h.onClientContext(() -> h2c.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/api/h2")
            .compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
        assertThat(body).isEqualTo("HTTP_2 ok");
        Thread.sleep(2 * TIMEOUT_MS);
      }
    }
    String echoed = await(h.onClientContext(() -> h.webSocketClient().connect(new WebSocketConnectOptions()
            .setHost("127.0.0.1").setPort(h.proxyPort).setURI("/api/chat"))
        .compose(socket -> {
          io.vertx.core.Promise<String> echo = io.vertx.core.Promise.promise();
          socket.textMessageHandler(echo::tryComplete);
          h.vertx.setTimer(2 * TIMEOUT_MS, id -> socket.writeTextMessage("late"));
          return echo.future().compose(m -> socket.close().map(m));
        })));
    assertThat(echoed).isEqualTo("echo:late");
    assertThat(h.registry.get("sidecar_downstream_connections").tag("listener", "in").counter().count())
        .as("each HTTP/2 connection served both its requests").isEqualTo(3.0);
    assertThat(timeouts()).isZero();
  }

  /**
   * HTTP/2 (prior knowledge): a frame begun and not finished, or a header block without its END_HEADERS, closes the
   * connection after the timeout, as nginx's client_header_timeout does for HTTP/2; a client dribbling a frame a byte
   * at a time held the connection for idle_timeout. Between whole frames it rests as long as it likes
   * ({@link #http2AndWebSocketConnectionsAreLeftAlone}).
   */
  @Test
  void anHttp2FrameOrHeaderBlockLeftUnfinishedClosesTheConnection() throws Exception {
    start(true, TIMEOUT_MS + "ms");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.roundTrip();
      Thread.sleep(2 * TIMEOUT_MS); // resting between frames
      wire.roundTrip();
      byte[] ping = H2Wire.frameBytes(H2Wire.PING, 0, 0, new byte[8]);
      wire.write(java.util.Arrays.copyOf(ping, 12)); // the header and 3 of the 8 payload bytes
      assertThat(closedWithinMillis(wire, 3_000)).isGreaterThanOrEqualTo(TIMEOUT_MS - 50);
    }
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.roundTrip();
      byte[] headers = wire.headersFrame(1, H2Wire.get("/api/a", h.proxyPort), true);
      headers[4] &= ~H2Wire.END_HEADERS; // a CONTINUATION should follow, and never does
      wire.write(headers);
      assertThat(closedWithinMillis(wire, 3_000)).isGreaterThanOrEqualTo(TIMEOUT_MS - 50);
    }
    assertThat(timeouts()).isEqualTo(2.0);
  }

  /** Milliseconds until the server closed the connection (frames it sent before are read and dropped). */
  private static long closedWithinMillis(H2Wire wire, long maxMillis) {
    long start = System.nanoTime();
    while (true) {
      try {
        wire.read();
      } catch (java.io.IOException closed) {
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsed).as("closed in time, not read timeout").isLessThan(maxMillis);
        return elapsed;
      }
    }
  }

  @Test
  void zeroTurnsItOff() throws Exception {
    start(true, "0s");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(1_000)) {
      client.write("GET /api/x HTTP/1.1\r\n");
      assertThat(client.atEndOfStream()).as("still open after 1 s").isFalse();
      client.write("Host: a\r\n\r\n");
      assertThat(client.read().body()).isEqualTo("ok 0");
    }
  }
}
