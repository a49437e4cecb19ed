package io.sidecar.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import io.sidecar.config.SidecarConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real sockets on 127.0.0.1: upstream servers, the data plane under test, and a client. */
final class ProxyHarness implements AutoCloseable {
  /**
   * On the transport production takes ({@code server.transport: auto}), so the tests cover it;
   * {@code -Dtest.transport=IO_URING} (or EPOLL, NIO) runs them on another one.
   */
  final Vertx vertx = Vertx.builder().withTransport(SocketTransport.withAcceptHook(SocketTransport.choose(
      io.sidecar.config.ServerSpec.Transport.valueOf(System.getProperty("test.transport", "AUTO"))))).build();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final io.sidecar.cache.HttpCache cache = new io.sidecar.cache.HttpCache(vertx,
      io.sidecar.cache.CacheConfig.builder().l1MaxBytes(16 * 1024 * 1024).build());
  final ProxyRuntime runtime;
  final DataPlane dataPlane;
  final HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(32));
  private final List<HttpServer> upstreams = new ArrayList<>();
  /** Every client {@link #httpClient} and {@link #webSocketClient} made, so none is collected (see there). */
  private final List<Object> clients = new ArrayList<>();
  ProxyHarness() {
    this(null);
  }

  ProxyHarness(AccessLog accessLog) {
    runtime = new ProxyRuntime(vertx, new ProxyMetrics(registry), accessLog, cache);
    dataPlane = new DataPlane(vertx, runtime, 2);
  }

  /** Client calls start on one event loop: from a foreign thread a response could end before body() is set. */
  private final io.vertx.core.Context clientContext = vertx.getOrCreateContext();
  int proxyPort;

  /** Polls until {@code condition} holds; returns the milliseconds it took, or fails after {@code maxMs}. */
  static long within(long maxMs, java.util.function.BooleanSupplier condition) {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > maxMs * 1_000_000L) throw new AssertionError("not within " + maxMs + " ms");
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    return (System.nanoTime() - start) / 1_000_000L;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  <T> Future<T> onClientContext(java.util.function.Supplier<Future<T>> call) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    clientContext.runOnContext(v -> call.get().onComplete(promise));
    return promise.future();
  }

  /** What a request through the proxy got back. */
  record Reply(int status, MultiMap headers, String body) {}

  /** One request through the proxy; {@code headers} and {@code body} may be null. */
  Reply send(HttpMethod method, String path, MultiMap headers, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(proxyPort).setURI(path);
    if (headers != null) options.setHeaders(headers);
    return await(onClientContext(() -> client.request(options)
        .compose(req -> body == null ? req.send() : req.send(io.vertx.core.buffer.Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString())))));
  }

  /**
   * A client of a test's own, kept until the harness closes. Vert.x 5 shuts down a client that the garbage collector
   * finds unreferenced (its Cleaner), even with a request or handshake in flight: a client made inline, or held in a
   * local variable the test no longer reads, had its connection reset by the test's own side whenever a GC came at
   * the wrong moment (RequestHeadTimeoutTest's WebSocket step failed about one run in eight).
   */
  HttpClient httpClient(HttpClientOptions options) {
    HttpClient made = vertx.createHttpClient(options);
    clients.add(made);
    return made;
  }

  /** As {@link #httpClient}, for WebSocket. */
  WebSocketClient webSocketClient() {
    return webSocketClient(new io.vertx.core.http.WebSocketClientOptions());
  }

  /** As {@link #webSocketClient()}, with options (TLS, say). */
  WebSocketClient webSocketClient(io.vertx.core.http.WebSocketClientOptions options) {
    WebSocketClient made = vertx.createWebSocketClient(options);
    clients.add(made);
    return made;
  }

  /** Requests the byte-level HTTP/1.1 path served, over every listener. */
  double fastPathRequests() {
    return registry.find("sidecar_fast_path_requests").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** Requests the byte-level path handed to Vert.x, over every listener. */
  double handovers() {
    return registry.find("sidecar_fast_path_handovers").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /**
   * Opens a WebSocket through the proxy with {@code client}, sends {@code message}, and gives the first text message
   * back, having closed the socket (an open tunnel would hold the listener's graceful stop for its whole grace).
   */
  String webSocketEcho(WebSocketClient client, io.vertx.core.http.WebSocketConnectOptions options, String message) {
    return await(onClientContext(() -> client.connect(options).compose(socket -> {
      io.vertx.core.Promise<String> first = io.vertx.core.Promise.promise();
      socket.textMessageHandler(first::tryComplete);
      socket.writeTextMessage(message);
      return first.future().compose(echo -> socket.close().map(echo));
    })));
  }

  /** A self-signed certificate for localhost, written by the openssl command line as {@code cert.pem}, {@code key.pem}. */
  static java.nio.file.Path[] selfSignedCertificate(java.nio.file.Path dir) {
    io.sidecar.proxy.tls.TestCertificates.Pair pair = io.sidecar.proxy.tls.TestCertificates.rsa(dir, "", "localhost");
    return new java.nio.file.Path[] {pair.cert(), pair.key()};
  }

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port free now and not handed out before in this JVM. The kernel may give the same ephemeral port to two
   * probes in a row; two of our servers on it would both bind (SO_REUSEPORT) and split the connections.
   */
  static int freePort() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Answers a request with a chunked body of {@code pieces} parts "p0;", "p1;", ... written {@code gapMillis} apart:
   * a stream that is never silent for longer than the gap.
   */
  void pacedBody(HttpServerRequest req, int pieces, long gapMillis) {
    var response = req.response().setChunked(true);
    long[] sent = {0};
    vertx.setPeriodic(gapMillis, id -> {
      response.write("p" + sent[0] + ";");
      if (++sent[0] == pieces) {
        vertx.cancelTimer(id);
        response.end();
      }
    });
  }

  int upstream(Handler<HttpServerRequest> handler) {
    HttpServer server = await(vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1"));
    upstreams.add(server);
    return server.actualPort();
  }

  static SidecarConfig parse(String yaml) {
    try {
      return new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get), List.of()).parse(yaml);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * One listener ({@code in}) and one route ({@code api}: /api/ rewritten to /) to one endpoint;
   * {@code routeExtras} are more lines of that route (indented four spaces).
   */
  static String singleRoute(int upstreamPort, String routeExtras) {
    return """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: api
            match: { path_prefix: /api/ }
            rewrite_prefix: /
            cluster: app
        """ + routeExtras + """
        clusters:
          - name: app
            endpoints: [ { address: "127.0.0.1:%d" } ]
            pool: { connect_timeout: 500ms }
        """.formatted(upstreamPort);
  }

  /**
   * {@code yaml} (one of {@link #singleRoute}'s) with a route {@code cached} first: /cached/ rewritten to /, to the same
   * cluster, timeout 2 s, the cache on (default TTL 60 s).
   */
  static String withCachedRoute(String yaml) {
    return yaml.replace("routes:\n", """
        routes:
          - name: cached
            match: { path_prefix: /cached/ }
            rewrite_prefix: /
            cluster: app
            timeout: 2s
            cache: { enabled: true, default_ttl: 60s }
        """);
  }

  /** Starts (or reconfigures) the proxy; {@code {PROXY}} in the YAML is replaced by the proxy port. */
  void start(long version, String yaml) {
    if (proxyPort == 0) proxyPort = freePort();
    await(dataPlane.apply(version, parse(yaml.replace("{PROXY}", Integer.toString(proxyPort)))));
  }

  @Override
  public void close() {
    await(dataPlane.shutdown(Duration.ofSeconds(1)));
    await(vertx.close());
  }
}
