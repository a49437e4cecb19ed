package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte-level path on a TLS listener: HTTP/1.1 connections (ALPN http/1.1, or no ALPN) are relayed as bytes behind
 * the TLS handler once Vert.x announces them after the handshake, with what the full path gives a TLS client
 * (X-Forwarded-Proto {@code https}, cache keys under {@code https}); HTTP/2 ones keep Vert.x's HTTP/2 server
 * ({@link ProtocolsTest}). A raw client over a JDK TLS socket writes exact bytes; the counters show which path served.
 */
class TlsFastPathTest {
  @TempDir Path dir;
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** A TLS listener {@code in} (the harness's port) with routes api (/api/, byte-level) and cached (/cached/). */
  private void start(int upstreamPort, boolean fastPath) {
    Path[] pem = ProxyHarness.selfSignedCertificate(dir);
    String plain = ProxyHarness.withCachedRoute(ProxyHarness.singleRoute(upstreamPort, "    timeout: 2s\n"));
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + plain.replace("address: \"127.0.0.1:{PROXY}\" }",
        "address: \"127.0.0.1:{PROXY}\", tls: { cert: \"%s\", key: \"%s\" } }".formatted(pem[0], pem[1])));
  }

  private RawHttpClient tlsClient() throws Exception {
    SSLSocket socket = (SSLSocket) TrustAllCertificates.context().getSocketFactory().createSocket("127.0.0.1", h.proxyPort);
    socket.startHandshake();
    return new RawHttpClient(socket);
  }



  /** Echoes what the upstream saw as JSON: the URI, the body and every header (names lower-cased). */
  private int echoUpstream() {
    return h.upstream(req -> req.body().onSuccess(body -> {
      JsonObject seen = new JsonObject().put("uri", req.uri()).put("body", body.toString());
      req.headers().forEach(e -> seen.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
      req.response().end(seen.encode());
    }));
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void requestsOverTlsAreRelayedAsBytesAndTellTheUpstreamTheClientUsedHttps(boolean fastPath) throws Exception {
    start(echoUpstream(), fastPath);
    try (RawHttpClient client = tlsClient()) {
      for (String path : new String[] {"/api/one", "/api/two"}) {
        RawHttpClient.Response reply = client.exchange("GET " + path + " HTTP/1.1\r\nHost: shop.example\r\n"
            + "X-Forwarded-Proto: http\r\n\r\n"); // a client's own claim is replaced, as on the full path
        assertThat(reply.status()).isEqualTo(200);
        JsonObject seen = new JsonObject(reply.body());
        assertThat(seen.getString("uri")).isEqualTo(path.substring(4));
        assertThat(seen.getString("x-forwarded-proto")).isEqualTo("https");
        assertThat(seen.getString("x-forwarded-host")).isEqualTo("shop.example");
        assertThat(seen.getString("via")).isEqualTo("1.1 sidecar");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0);
    assertThat(h.handovers()).isZero();
  }

  @Test
  void pipelinedRequestsAndAHandOverToTheFullPathAndBackOverTls() throws Exception {
    start(echoUpstream(), true);
    try (RawHttpClient client = tlsClient()) {
      // one TLS record holding three requests: the byte-level path serves the first, hands the chunked POST to Vert.x
      // (the full path's decoder reads what follows it), and the gate gives the connection back after it
      client.write("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n"
          + "POST /api/b HTTP/1.1\r\nHost: a\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n0\r\n\r\n"
          + "GET /api/c HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(new JsonObject(client.read().body()).getString("uri")).isEqualTo("/a");
      JsonObject b = new JsonObject(client.read().body());
      assertThat(b.getString("uri")).isEqualTo("/b");
      assertThat(b.getString("body")).isEqualTo("hello");
      assertThat(b.getString("x-forwarded-proto")).isEqualTo("https");
      assertThat(new JsonObject(client.read().body()).getString("uri")).isEqualTo("/c");
      JsonObject d = new JsonObject(client.exchange("GET /api/d HTTP/1.1\r\nHost: a\r\n\r\n").body());
      assertThat(d.getString("uri")).isEqualTo("/d");
      assertThat(d.getString("x-forwarded-proto")).isEqualTo("https");
    }
    assertThat(h.fastPathRequests()).isEqualTo(2.0); // a and d; c was read by Vert.x's decoder with b
    assertThat(h.handovers()).isEqualTo(1.0);
  }

  /**
   * The full path stores a TLS client's answer under its https URI (RFC 9111 §2: the target URI); the byte-level
   * path must look hits up under the same key, or every hit over TLS went back to the full path.
   */
  @Test
  void aCachedAnswerIsAHitOnTheByteLevelPathUnderItsHttpsKey() throws Exception {
    AtomicInteger upstreamRequests = new AtomicInteger();
    int port = h.upstream(req -> {
      upstreamRequests.incrementAndGet();
      req.response().putHeader("cache-control", "max-age=60").end(req.path());
    });
    start(port, true);
    try (RawHttpClient client = tlsClient()) {
      for (int i = 0; i < 3; i++) {
        RawHttpClient.Response cached = client.exchange("GET /cached/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(cached.body()).isEqualTo("/x");
        assertThat(cached.header("x-cache")).isEqualTo(i == 0 ? "MISS" : "HIT");
        // the miss was handed to Vert.x; each hit was answered on the byte-level path
        assertThat(h.fastPathRequests()).isEqualTo(i);
      }
    }
    assertThat(upstreamRequests.get()).isEqualTo(1);
    assertThat(h.handovers()).isEqualTo(1.0);
  }

  /** Megabytes both ways through the TLS handler, with back-pressure, over Vert.x's TLS client. */
  @Test
  void largeBodiesStreamBothWaysOverTls() {
    int port = h.upstream(req -> req.body().onSuccess(body -> req.response().end(body)));
    start(port, true);
    HttpClient tls = h.httpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    byte[] payload = new byte[3 * 1024 * 1024 + 17];
    for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31);
    for (int i = 0; i < 2; i++) {
      Buffer echoed = await(h.onClientContext(() -> tls.request(HttpMethod.POST, h.proxyPort, "127.0.0.1", "/api/echo")
          .compose(req -> req.send(Buffer.buffer(payload))).compose(HttpClientResponse::body)));
      assertThat(echoed.getBytes()).isEqualTo(payload);
    }
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }

  /**
   * A WebSocket handshake over TLS (wss) is handed to Vert.x, which tunnels it; the byte-level path still serves the
   * listener's other connections.
   */
  @Test
  void aWebSocketOverTlsIsTunnelledAndOtherConnectionsStayOnTheByteLevelPath() throws Exception {
    int upstream = await(h.vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
        .requestHandler(req -> req.response().end("plain"))
        .listen(0, "127.0.0.1")).actualPort();
    start(upstream, true);
    io.vertx.core.http.WebSocketClient wss = h.webSocketClient(new io.vertx.core.http.WebSocketClientOptions()
        .setSsl(true).setTrustAll(true).setVerifyHost(false));
    String echoed = h.webSocketEcho(wss, new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(h.proxyPort).setURI("/api/chat"), "hello");
    assertThat(echoed).isEqualTo("echo:hello");
    assertThat(h.handovers()).isEqualTo(1.0); // the handshake
    try (RawHttpClient client = tlsClient()) {
      assertThat(client.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("plain");
    }
    assertThat(h.fastPathRequests()).isEqualTo(1.0);
  }

  /** A graceful shutdown lets the exchange in flight finish with {@code connection: close}, then closes. */
  @Test
  void anExchangeInFlightOverTlsFinishesDuringShutdownWithConnectionClose() throws Exception {
    int port = h.upstream(req -> h.vertx.setTimer(req.path().equals("/slow") ? 600 : 1, id -> req.response().end("done")));
    start(port, true);
    try (RawHttpClient client = tlsClient()) {
      assertThat(client.exchange("GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("done");
      client.write("GET /api/slow HTTP/1.1\r\nHost: a\r\n\r\n");
      Thread.sleep(200);
      var shutdown = h.dataPlane.shutdown(java.time.Duration.ofSeconds(5));
      RawHttpClient.Response reply = client.read();
      assertThat(reply.body()).isEqualTo("done");
      assertThat(reply.header("connection")).isEqualTo("close");
      await(shutdown);
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(h.fastPathRequests()).isEqualTo(2.0);
  }
}
