package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS with ALPN h2, h2c both ways, WebSocket pass-through, header size limit. */
class ProtocolsTest {
  @TempDir Path dir;
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }


  /** Also with the byte-level path off, where {@link FirstRequestVersion} reads a connection's first bytes. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void tlsListenerNegotiatesH2WithAlpnAndH2cWorksOnPlainListeners(boolean fastPath) throws Exception {
    Path[] pem = ProxyHarness.selfSignedCertificate(dir);
    Path cert = pem[0];
    Path key = pem[1];
    assertThat(Files.exists(cert)).isTrue();

    int upstream = h.upstream(req -> req.response().end("upstream saw " + req.version()));
    int plainPort = ProxyHarness.freePort();
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + """
        listeners:
          - { name: tls, address: "127.0.0.1:{PROXY}", tls: { cert: "%s", key: "%s" } }
          - { name: plain, address: "127.0.0.1:%d" }
        routes:
          - { name: secure, listener: tls, cluster: app }
          - { name: open, listener: plain, cluster: app }
        clusters:
          - { name: app, endpoints: [ "127.0.0.1:%d" ] }
        """.formatted(cert, key, plainPort, upstream));

    HttpClient h2 = h.httpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
    String tls = await(h.onClientContext(() -> h2.request(HttpMethod.GET, h.proxyPort, "localhost", "/")
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
    assertThat(tls).isEqualTo("HTTP_2 upstream saw HTTP_1_1");

    HttpClient h2c = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String clear = await(h.onClientContext(() -> h2c.request(HttpMethod.GET, plainPort, "127.0.0.1", "/")
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
    assertThat(clear).isEqualTo("HTTP_2 upstream saw HTTP_1_1");
    // each listener counts its own connections, TLS ones too (DownstreamConnectionsTest has the rest)
    for (String listener : new String[] {"tls", "plain"}) {
      assertThat(h.registry.get("sidecar_downstream_connections").tag("listener", listener).counter().count())
          .as(listener).isEqualTo(1.0);
    }
    // the h2c upgrade (RFC 7540 §3.2): an HTTP/1.1 request asking for h2c, answered over HTTP/2
    HttpClient upgrading = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(true));
    String upgraded = await(h.onClientContext(() -> upgrading.request(HttpMethod.GET, plainPort, "127.0.0.1", "/")
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
    assertThat(upgraded).isEqualTo("HTTP_2 upstream saw HTTP_1_1");
  }

  @Test
  void h2cToTheUpstreamStreamsBodies() {
    int upstream = ProxyHarness.await(h.vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(req -> req.body().onSuccess(b -> req.response().end(req.version() + " " + b.length())))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, protocol: h2c, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    String reply = await(h.onClientContext(() -> h.client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(h.proxyPort).setURI("/"))
        .compose(req -> req.send(Buffer.buffer(new byte[100_000]))).compose(HttpClientResponse::body)
        .map(Buffer::toString)));
    assertThat(reply).isEqualTo("HTTP_2 100000");
  }

  @Test
  void webSocketUpgradePassesThrough() {
    int upstream = ProxyHarness.await(h.vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: ws, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    WebSocketClient ws = h.webSocketClient();
    String echoed = h.webSocketEcho(ws, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(h.proxyPort)
        .setURI("/chat"), "hello");
    assertThat(echoed).isEqualTo("echo:hello");
  }

  /**
   * A client that leaves while the upstream is still answering its WebSocket handshake: the upstream's side of the
   * tunnel is closed when its 101 comes. Vert.x threw making a tunnel of the closed client connection (its decoder
   * already gone), and the upstream connection stayed open.
   */
  @Test
  void aClientGoneBeforeTheUpstreamsHandshakeAnswerClosesTheUpstreamSide() throws Exception {
    java.util.concurrent.CompletableFuture<Void> upstreamClosed = new java.util.concurrent.CompletableFuture<>();
    int upstream = ProxyHarness.await(h.vertx.createHttpServer()
        .webSocketHandshakeHandler(handshake -> h.vertx.setTimer(500, id -> handshake.accept()))
        .webSocketHandler(ws -> ws.closeHandler(v -> upstreamClosed.complete(null)))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: ws, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.write("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      Thread.sleep(100); // the handshake is on its way upstream
    }
    upstreamClosed.get(5, TimeUnit.SECONDS);
  }

  /**
   * A WebSocket handshake that goes out on a kept-alive upstream connection the upstream closes instead of answering
   * is sent again on a new one ({@link UpstreamResend}), as a GET would be: the client's upgrade failed.
   */
  @Test
  void aHandshakeOnAKeptAliveConnectionTheUpstreamClosedIsSentAgain() throws Exception {
    String switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    try (FastPathTest.RawUpstream upstream = new FastPathTest.RawUpstream(java.util.List.of(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", FastPathTest.RawUpstream.CLOSE, switching))) {
      h.start(1, """
          server: { fast_path: false }
          listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
          routes: [ { name: ws, cluster: app } ]
          clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
          """.formatted(upstream.port()));
      // one client connection: each event loop has a pool of its own, and the two requests must meet the same
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        client.write("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(client.readHeadOnly().status()).isEqualTo(101);
      }
      assertThat(upstream.connections()).as("the handshake went out on the kept-alive connection, then on another")
          .isEqualTo(2);
    }
    assertThat(h.registry.get("sidecar_upstream_resends").tag("cluster", "app").counter().count()).isEqualTo(1.0);
  }

  /**
   * An HTTP/1.0 request is answered in HTTP/1.1 (RFC 9110 §2.5), as nginx, HAProxy and Envoy answer it; Vert.x echoed
   * "HTTP/1.0". Without keep-alive the answer says it closes the connection, with it the connection serves the next
   * request; on every kind of listener, since Vert.x serves HTTP/1.0 on each.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void anHttp10RequestIsAnsweredInHttp11(boolean fastPath) throws Exception {
    int upstream = h.upstream(req -> req.response().end("ok " + req.version()));
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + ProxyHarness.singleRoute(upstream, ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response reply = client.exchange("GET /api/a HTTP/1.0\r\nHost: a\r\n\r\n");
      assertThat(reply.version()).isEqualTo("HTTP/1.1");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("ok HTTP_1_1");
      assertThat(reply.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (int i = 0; i < 2; i++) {
        RawHttpClient.Response reply = client.exchange("GET /api/b HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
        assertThat(reply.version()).as("request %d", i).isEqualTo("HTTP/1.1");
        assertThat(reply.header("connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(reply.body()).isEqualTo("ok HTTP_1_1");
      }
    }
  }

  /**
   * An HTTP/1.0 client cannot read chunked, so a body of unknown length (here a chunked upstream response) goes to it
   * without a length and the close ends it: the answer says {@code Connection: close} and the connection closes, even
   * though the client asked for keep-alive (as nginx does). Vert.x said "keep-alive" and kept the connection open, so
   * the client waited for the end of a body that never came. A body with a length keeps the connection alive.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void anHttp10KeepAliveClientGetsABodyOfUnknownLengthEndedByTheClose(boolean fastPath) throws Exception {
    int upstream = h.upstream(req -> {
      if (req.path().endsWith("/streamed")) req.response().setChunked(true).write("a").compose(v -> req.response().end("b"));
      else req.response().end("ab");
    });
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + ProxyHarness.singleRoute(upstream, ""));
    String keepAlive = " HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n";
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      RawHttpClient.Response sized = client.exchange("GET /api/sized" + keepAlive);
      assertThat(sized.header("connection")).isEqualToIgnoringCase("keep-alive");
      assertThat(sized.body()).isEqualTo("ab");
      RawHttpClient.Response streamed = client.exchange("GET /api/streamed" + keepAlive); // read until the close
      assertThat(streamed.version()).isEqualTo("HTTP/1.1");
      assertThat(streamed.header("connection")).isEqualToIgnoringCase("close");
      assertThat(streamed.header("content-length")).isNull();
      assertThat(streamed.body()).isEqualTo("ab");
    }
  }

  @Test
  void oversizedHeadersAreRefusedWith431() {
    int upstream = h.upstream(req -> req.response().end("ok"));
    h.start(1, """
        server: { max_header_size: 2KiB }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    Future<Integer> status = h.onClientContext(() -> h.client.request(new RequestOptions().setHost("127.0.0.1")
            .setPort(h.proxyPort).setURI("/").putHeader("x-big", "x".repeat(4096)))
        .compose(req -> req.send()).map(HttpClientResponse::statusCode));
    assertThat(await(status)).isEqualTo(431);
  }
}
