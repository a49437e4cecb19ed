package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static io.sidecar.proxy.ProxyHarness.singleRoute;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyIntegrationTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private ProxyHarness.Reply get(String path, MultiMap headers) {
    return h.send(HttpMethod.GET, path, headers, null);
  }

  @Test
  void forwardsWithRewriteAndHeaderHygiene() {
    int port = h.upstream(req -> {
      JsonObject seen = new JsonObject().put("uri", req.uri());
      req.headers().forEach(e -> seen.put(e.getKey().toLowerCase(), e.getValue()));
      req.response().putHeader("connection", "x-up-private").putHeader("x-up-private", "secret")
          .putHeader("keep-alive", "timeout=5").putHeader("x-up", "yes").end(seen.encode());
    });
    h.start(1, singleRoute(port, ""));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, X-Private").add("X-Private", "drop me").add("TE", "trailers")
        .add("Proxy-Connection", "keep-alive").add("X-Forwarded-For", "10.0.0.1").add("Host", "shop.example:8443")
        .add("X-Keep", "kept");
    ProxyHarness.Reply reply = get("/api/items?q=1", headers);

    assertThat(reply.status()).isEqualTo(200);
    JsonObject seen = new JsonObject(reply.body());
    assertThat(seen.getString("uri")).isEqualTo("/items?q=1");
    assertThat(seen.containsKey("x-private")).isFalse();
    assertThat(seen.containsKey("te")).isFalse();
    assertThat(seen.containsKey("proxy-connection")).isFalse();
    assertThat(seen.getString("x-keep")).isEqualTo("kept");
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.getString("x-forwarded-host")).isEqualTo("shop.example:8443");
    assertThat(seen.getString("host")).isEqualTo("shop.example:8443");
    assertThat(seen.getString("via")).isEqualTo("1.1 sidecar");
    assertThat(reply.headers().get("x-up")).isEqualTo("yes");
    assertThat(reply.headers().contains("x-up-private")).isFalse();
    assertThat(reply.headers().contains("keep-alive")).isFalse();
    assertThat(reply.headers().get("via")).isEqualTo("1.1 sidecar");
  }

  @Test
  void routesOnHostMethodHeaderAndQueryWithHeaderMutations() {
    int a = h.upstream(req -> req.response().end("a:" + req.getHeader("x-added") + ":" + req.getHeader("x-gone")));
    int b = h.upstream(req -> req.response().end("b"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: special
            match: { host: api.example, methods: [GET], headers: { x-tenant: { prefix: ac } }, query: { v: "2" } }
            cluster: a
            request_headers: { set: { x-added: "1" }, remove: [x-gone] }
            response_headers: { set: { x-route: special } }
          - name: regex
            match: { path_regex: "/items/[0-9]+" }
            cluster: b
        clusters:
          - { name: a, endpoints: [ "127.0.0.1:%d" ] }
          - { name: b, endpoints: [ "127.0.0.1:%d" ] }
        """.formatted(a, b));
    MultiMap tenant = MultiMap.caseInsensitiveMultiMap().add("host", "api.example").add("x-tenant", "acme")
        .add("x-gone", "bye");
    ProxyHarness.Reply special = get("/x?v=2", tenant);
    assertThat(special.body()).isEqualTo("a:1:null");
    assertThat(special.headers().get("x-route")).isEqualTo("special");
    assertThat(get("/x?v=3", tenant).status()).isEqualTo(404);
    assertThat(get("/items/42", null).body()).isEqualTo("b");
    ProxyHarness.Reply none = get("/items/abc", null);
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.headers().get("x-sidecar-flags")).isEqualTo("NR");
  }

  @Test
  void connectFailureIs503UF() throws Exception {
    int closed = ProxyHarness.freePort();
    h.start(1, singleRoute(closed, ""));
    ProxyHarness.Reply reply = get("/api/x", null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UF");
    // The counter is recorded when the exchange finishes, just after the response left: wait for it briefly.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (h.registry.find("sidecar_requests").tag("flag", "UF").counter() == null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(h.registry.get("sidecar_requests").tag("flag", "UF").counter().count()).isEqualTo(1.0);
  }

  @Test
  void upstreamTimeoutIs504UT() {
    int port = h.upstream(req -> { /* never answers */ });
    h.start(1, singleRoute(port, "    timeout: 300ms\n"));
    ProxyHarness.Reply reply = get("/api/slow", null);
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UT");
  }

  @Test
  void idleUpstreamIs504UT() {
    int port = h.upstream(req -> { /* never answers */ });
    h.start(1, singleRoute(port, "    idle_timeout: 200ms\n"));
    ProxyHarness.Reply reply = get("/api/idle", null);
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UT");
  }

  @Test
  void withoutARouteTimeoutAStreamLastsAsLongAsItIsNotSilent() {
    // a body in 8 pieces 150 ms apart: 1.05 s in all, longer than any idle gap, then an upstream gone silent
    int port = h.upstream(req -> {
      if (!req.path().endsWith("/silent")) h.pacedBody(req, 8, 150);
    });
    h.start(1, singleRoute(port, "    timeout: 0s\n    idle_timeout: 400ms\n"));
    ProxyHarness.Reply stream = get("/api/stream", null);
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.body()).isEqualTo("p0;p1;p2;p3;p4;p5;p6;p7;");
    ProxyHarness.Reply silent = get("/api/silent", null);
    assertThat(silent.status()).isEqualTo(504);
    assertThat(silent.headers().get("x-sidecar-flags")).isEqualTo("UT");
  }

  @Test
  void upstreamResetIs502UR() {
    int port = h.upstream(req -> req.connection().close());
    h.start(1, singleRoute(port, ""));
    ProxyHarness.Reply reply = get("/api/reset", null);
    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UR");
  }

  @Test
  void noEndpointsIs503UH() {
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: empty } ]
        clusters: [ { name: empty, endpoints: [] } ]
        """);
    ProxyHarness.Reply reply = get("/", null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UH");
  }

  @Test
  void oversizedBodiesAre413ByLengthAndWhileStreaming() {
    AtomicInteger reached = new AtomicInteger();
    int port = h.upstream(req -> {
      reached.incrementAndGet();
      req.body().onComplete(b -> req.response().end("got " + (b.succeeded() ? b.result().length() : -1)));
    });
    h.start(1, "server: { max_request_body: 1KiB }\n" + singleRoute(port, ""));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(h.proxyPort).setURI("/api/upload");
    int byLength = await(h.onClientContext(() -> h.client.request(options)
        .compose(req -> req.send(Buffer.buffer(new byte[2048]))).map(HttpClientResponse::statusCode)));
    assertThat(byLength).isEqualTo(413);
    assertThat(reached.get()).isZero();

    String chunked = await(h.onClientContext(() -> h.client.request(options).compose(req -> {
      req.setChunked(true);
      req.write(Buffer.buffer(new byte[800]));
      req.write(Buffer.buffer(new byte[800]));
      req.end();
      return req.response().map(r -> r.statusCode() + " " + r.getHeader("x-sidecar-flags"));
    })));
    assertThat(chunked).isEqualTo("413 RBL");
    int small = await(h.onClientContext(() -> h.client.request(options)
        .compose(req -> req.send(Buffer.buffer(new byte[512]))).map(HttpClientResponse::statusCode)));
    assertThat(small).isEqualTo(200);
  }

  @Test
  void malformedRequestsGet400AndTheProxyKeepsServing() throws Exception {
    int port = h.upstream(req -> req.response().end("ok"));
    h.start(1, singleRoute(port, ""));
    try (Socket socket = new Socket("127.0.0.1", h.proxyPort)) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(statusLine).isEqualTo("HTTP/1.1 400");
    }
    assertThat(get("/api/x", null).body()).isEqualTo("ok");
  }

  @Test
  void theUpstreamsReasonPhraseReachesTheClientWhetherStandardOrItsOwn() throws Exception {
    int port = h.upstream(req -> {
      switch (req.path()) {
        case "/own" -> req.response().setStatusCode(200).setStatusMessage("Fine Thanks").end("a");
        case "/unknown-code" -> req.response().setStatusCode(299).setStatusMessage("Custom Code").end("b");
        default -> req.response().setStatusCode(404).end("c");
      }
    });
    h.start(1, singleRoute(port, ""));
    assertThat(statusLine("/api/own")).isEqualTo("HTTP/1.1 200 Fine Thanks");
    assertThat(statusLine("/api/unknown-code")).isEqualTo("HTTP/1.1 299 Custom Code");
    assertThat(statusLine("/api/standard")).isEqualTo("HTTP/1.1 404 Not Found");
  }

  private String statusLine(String path) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", h.proxyPort)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  @Test
  void weightedSplitFollowsWeights() {
    int a = h.upstream(req -> req.response().end("a"));
    int b = h.upstream(req -> req.response().end("b"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: split
            split: [ { cluster: a, weight: 90 }, { cluster: b, weight: 10 } ]
        clusters:
          - { name: a, endpoints: [ "127.0.0.1:%d" ] }
          - { name: b, endpoints: [ "127.0.0.1:%d" ] }
        """.formatted(a, b));
    int total = Integer.getInteger("splitTotal", 10_000);
    AtomicInteger toA = new AtomicInteger();
    List<Future<String>> batch = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      batch.add(h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/")
          .compose(req -> req.send()).compose(HttpClientResponse::body).map(Buffer::toString)));
      if (batch.size() == 200 || i == total - 1) {
        await(Future.all(batch));
        batch.forEach(f -> { if (f.result().equals("a")) toA.incrementAndGet(); });
        batch.clear();
      }
    }
    double share = toA.get() / (double) total;
    assertThat(share).isBetween(0.90 * 0.95, 0.90 * 1.05);
  }

  @Test
  void hundredMegabytesStreamBothWaysWithoutBuffering() {
    long size = 100L * 1024 * 1024;
    AtomicLong upstreamSeen = new AtomicLong();
    AtomicLong clientSentWhenUpstreamSawFirstMiB = new AtomicLong(-1);
    AtomicLong clientSent = new AtomicLong();
    int port = h.upstream(TwoWayStream.echo(upstreamSeen, (before, after) -> {
      if (before < 1024 * 1024 && after >= 1024 * 1024) clientSentWhenUpstreamSawFirstMiB.set(clientSent.get());
    }));
    h.start(1, "server: { max_request_body: 1GiB }\n" + singleRoute(port, "    timeout: 60s\n"));
    long got = await(h.onClientContext(() -> TwoWayStream.send(h.client, new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(h.proxyPort).setURI("/api/echo"), size, clientSent, new AtomicLong())));
    assertThat(got).isEqualTo(size);
    assertThat(upstreamSeen.get()).isEqualTo(size);
    // Streaming, not store-and-forward: the upstream had its first MiB long before the client had sent it all.
    assertThat(clientSentWhenUpstreamSawFirstMiB.get()).isBetween(0L, size / 2);
  }

  @Test
  void inFlightRequestCompletesDuringShutdown() throws Exception {
    int port = h.upstream(req -> h.vertx.setTimer(700, id -> req.response().end("finished")));
    h.start(1, singleRoute(port, ""));
    Future<String> inFlight = h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1",
        "/api/slow").compose(req -> req.send()).compose(HttpClientResponse::body).map(Buffer::toString));
    Thread.sleep(200);
    Future<Void> shutdown = h.dataPlane.shutdown(java.time.Duration.ofSeconds(5));
    assertThat(await(inFlight)).isEqualTo("finished");
    await(shutdown);
    Future<Integer> after = h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/api/slow")
        .compose(req -> req.send()).map(HttpClientResponse::statusCode);
    assertThat(after.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get()).isNotNull();
  }

  @Test
  void reloadSwapsRoutesAndKeepsEndpointStats() {
    int a = h.upstream(req -> req.response().end("a"));
    int b = h.upstream(req -> req.response().end("b"));
    String config = """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: %s } ]
        clusters:
          - { name: a, endpoints: [ "127.0.0.1:%d" ] }
          - { name: b, endpoints: [ "127.0.0.1:%d" ] }
        """;
    h.start(1, config.formatted("a", a, b));
    assertThat(get("/", null).body()).isEqualTo("a");
    var balancerBefore = h.runtime.snapshot().cluster("a").balancer();
    h.start(2, config.formatted("b", a, b));
    assertThat(get("/", null).body()).isEqualTo("b");
    assertThat(h.runtime.snapshot().version()).isEqualTo(2);
    var balancerAfter = h.runtime.snapshot().cluster("a").balancer();
    assertThat(balancerAfter).isSameAs(balancerBefore);
    assertThat(balancerAfter.snapshot().endpoints()).singleElement()
        .satisfies(e -> assertThat(e.requests()).isEqualTo(1));
  }

  @Test
  void aReloadDoesNotBreakARequestInFlight() throws Exception {
    int slow = h.upstream(req -> h.vertx.setTimer(600, id -> req.response().end("slow-old")));
    int other = h.upstream(req -> req.response().end("new"));
    String config = """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: %s } ]
        clusters:
          - { name: old, endpoints: [ "127.0.0.1:%d" ] }
          - { name: fresh, endpoints: [ "127.0.0.1:%d" ], pool: { max_connections: 8 } }
        """;
    h.start(1, config.formatted("old", slow, other));
    Future<String> inFlight = h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/")
        .compose(req -> req.send()).compose(HttpClientResponse::body).map(Buffer::toString));
    Thread.sleep(200);
    h.start(2, config.formatted("fresh", slow, other).replace("{ name: old, endpoints", "{ name: old, pool: { max_connections: 4 }, endpoints"));
    assertThat(get("/", null).body()).isEqualTo("new");
    assertThat(await(inFlight)).isEqualTo("slow-old");
  }

  @Test
  void aListenerMovedToAnotherPortListensThereWhileItsOldSocketStillDrains() throws Exception {
    java.util.concurrent.CountDownLatch slowArrived = new java.util.concurrent.CountDownLatch(1);
    int upstream = h.upstream(req -> {
      if (!req.path().equals("/slow")) {
        req.response().end("ok");
        return;
      }
      slowArrived.countDown();
      h.vertx.setTimer(3_000, id -> req.response().end("slow"));
    });
    String yaml = """
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """;
    h.start(1, yaml.formatted(h.proxyPort = ProxyHarness.freePort(), upstream));
    Future<String> slow = h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/slow")
        .compose(req -> req.send()).compose(HttpClientResponse::body).map(Buffer::toString));
    assertThat(slowArrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    int moved = ProxyHarness.freePort();
    Future<Void> reload = h.dataPlane.apply(2, ProxyHarness.parse(yaml.formatted(moved, upstream)));
    boolean listening = false;
    long deadline = System.nanoTime() + 1_500_000_000L;
    while (!listening && System.nanoTime() < deadline) {
      try (Socket probe = new Socket("127.0.0.1", moved)) {
        listening = true;
      } catch (java.net.ConnectException notYet) {
        Thread.sleep(20);
      }
    }
    // the old socket waits for the slow request (3 s): stopping it first would have kept the new port shut that long
    assertThat(listening).isTrue();
    assertThat(reload.isComplete()).isFalse();
    assertThat(await(slow)).isEqualTo("slow");
    await(reload);
    h.proxyPort = moved;
    assertThat(get("/x", null).body()).isEqualTo("ok");
  }

  @Test
  void theAccessLogWritesOneJsonLinePerRequest() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("access", ".log");
    ProxyHarness logged = new ProxyHarness(AccessLog.open(file.toString()));
    try {
      int port = logged.upstream(req -> req.response().end("ok"));
      logged.start(1, singleRoute(port, ""));
      await(logged.onClientContext(() -> logged.client.request(HttpMethod.GET, logged.proxyPort, "127.0.0.1", "/api/a?x=1")
          .compose(req -> req.send()).compose(HttpClientResponse::body)));
      await(logged.onClientContext(() -> logged.client.request(HttpMethod.GET, logged.proxyPort, "127.0.0.1", "/none")
          .compose(req -> req.send()).compose(HttpClientResponse::body)));
    } finally {
      logged.close();
      logged.runtime.accessLog().close();
    }
    List<String> lines = java.nio.file.Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(new JsonObject(lines.get(1)).getString("flags")).isEqualTo("NR");
    JsonObject entry = new JsonObject(lines.get(0));
    assertThat(entry.getString("route")).isEqualTo("api");
    assertThat(entry.getInteger("status")).isEqualTo(200);
    assertThat(entry.getString("flags")).isEqualTo("-");
    assertThat(entry.getString("upstream")).startsWith("127.0.0.1:");
    assertThat(entry.getString("request_id")).matches("[0-9a-f-]{36}");
  }
}
