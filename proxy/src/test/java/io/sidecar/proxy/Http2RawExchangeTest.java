package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 clients to an HTTP/1.1 cluster: with {@code server.fast_path} the request goes over the byte-level path's
 * upstream pool ({@link Http2RawExchange}), without it through Vert.x's HTTP/1.1 client ({@link Exchange}). Each
 * case runs on both and expects the same: the same upstream request, the same response, the same answers to
 * failures.
 */
@Timeout(60)
class Http2RawExchangeTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** A scripted HTTP/1.1 upstream: records each request's bytes and answers each with {@code answer}. */
  private final class ScriptedUpstream {
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final int port;

    ScriptedUpstream(Function<String, String> answer) {
      NetServer server = await(h.vertx.createNetServer().connectHandler(socket -> {
        connections.incrementAndGet();
        socket.closeHandler(v -> closed.incrementAndGet());
        StringBuilder pending = new StringBuilder();
        socket.handler(bytes -> {
          pending.append(bytes.toString(StandardCharsets.ISO_8859_1));
          String request;
          while ((request = whole(pending)) != null) {
            requests.add(request);
            String reply = answer.apply(request);
            if (reply == null) continue; // no answer: the test decides
            if (reply.equals("CLOSE")) {
              socket.close();
              return;
            }
            write(socket, reply);
          }
        });
      }).listen(0, "127.0.0.1"));
      port = server.actualPort();
    }

    private void write(NetSocket socket, String reply) {
      boolean close = reply.endsWith("CLOSE");
      socket.write(Buffer.buffer(close ? reply.substring(0, reply.length() - 5) : reply, "ISO-8859-1"));
      if (close) socket.close();
    }

    /** Takes one whole request (head and body, by Content-Length or chunked) off the front of {@code pending}. */
    private String whole(StringBuilder pending) {
      int headEnd = pending.indexOf("\r\n\r\n");
      if (headEnd < 0) return null;
      String head = pending.substring(0, headEnd + 4).toLowerCase();
      int end = headEnd + 4;
      int cl = head.indexOf("\r\ncontent-length: ");
      if (cl >= 0) {
        end += Integer.parseInt(head.substring(cl + 18, head.indexOf("\r\n", cl + 2)).trim());
      } else if (head.contains("\r\ntransfer-encoding: chunked")) {
        int last = pending.indexOf("\r\n0\r\n\r\n", headEnd);
        if (last < 0) return null;
        end = last + 7;
      }
      if (pending.length() < end) return null;
      String request = pending.substring(0, end);
      pending.delete(0, end);
      return request;
    }
  }

  private void start(boolean fastPath, int upstream, String routeExtras) {
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app%s } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(routeExtras, upstream));
  }

  private static final String OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

  /** The request line, then the head's fields in lower case, sorted (the two paths write them in other orders). */
  private static List<String> shape(String request) {
    String[] lines = request.substring(0, request.indexOf("\r\n\r\n")).split("\r\n");
    List<String> shape = new ArrayList<>();
    shape.add(lines[0]);
    shape.addAll(new TreeSet<>(Arrays.stream(lines, 1, lines.length).map(String::toLowerCase).toList()));
    return shape;
  }

  private static String body(String request) {
    return request.substring(request.indexOf("\r\n\r\n") + 4);
  }

  /** {@code requestLine}, then {@code fields} sorted. */
  private static List<String> shape(String requestLine, List<String> fields) {
    List<String> shape = new ArrayList<>(List.of(requestLine));
    shape.addAll(new TreeSet<>(fields));
    return shape;
  }

  private static List<String> plus(List<String> a, String... more) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(more));
    return all;
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void theUpstreamRequestCarriesTheClientsFieldsTheForwardingFieldsAndItsBody(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> OK);
    start(fastPath, upstream.port, ", request_headers: { set: { x-route: r1 }, remove: [ x-secret ] }");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/a/b?q=1&r=%20", h.proxyPort).add("x-custom", "v1").add("x-custom", "v2")
          .add("x-secret", "s").add("te", "trailers").add("x-request-id", "id-1")
          .add("cookie", "a=1").add("cookie", "b=2"), true); // split, as browsers send them; joined (RFC 9113 §8.2.3)
      assertThat(wire.body(1)).isEqualTo("ok");
      wire.headers(3, H2Wire.get("/length", h.proxyPort).method("POST").add("content-length", "5")
          .add("x-request-id", "id-2"), false);
      wire.data(3, "hello", true);
      assertThat(wire.body(3)).isEqualTo("ok");
      wire.headers(5, H2Wire.get("/chunked", h.proxyPort).method("PUT").add("x-request-id", "id-3"), false);
      Thread.sleep(50); // the first piece after the upstream request started
      wire.data(5, "hello ", false);
      wire.data(5, "world", true);
      assertThat(wire.body(5)).isEqualTo("ok");
    }
    String authority = "127.0.0.1:" + h.proxyPort;
    List<String> forwarding = List.of("host: " + authority, "via: 2 sidecar", "x-forwarded-for: 127.0.0.1",
        "x-forwarded-host: " + authority, "x-forwarded-proto: http", "x-route: r1");
    assertThat(upstream.requests).hasSize(3);
    assertThat(shape(upstream.requests.get(0))).isEqualTo(shape("GET /a/b?q=1&r=%20 HTTP/1.1",
        plus(forwarding, "x-custom: v1", "x-custom: v2", "x-request-id: id-1", "cookie: a=1; b=2")));
    assertThat(body(upstream.requests.get(0))).isEmpty();
    assertThat(shape(upstream.requests.get(1))).isEqualTo(shape("POST /length HTTP/1.1",
        plus(forwarding, "content-length: 5", "x-request-id: id-2")));
    assertThat(body(upstream.requests.get(1))).isEqualTo("hello");
    assertThat(shape(upstream.requests.get(2))).isEqualTo(shape("PUT /chunked HTTP/1.1",
        plus(forwarding, "transfer-encoding: chunked", "x-request-id: id-3")));
    assertThat(dechunk(body(upstream.requests.get(2)))).isEqualTo("hello world");
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = body.indexOf("\r\n", at);
      int size = Integer.parseInt(body.substring(at, lineEnd), 16);
      if (size == 0) return out.toString();
      out.append(body, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aChunkedResponseReachesTheStreamAsItsDataWithoutConnectionFields(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n"
        + "Connection: x-hop\r\nX-Hop: h\r\n\r\nHTTP/1.1 201 Created\r\n"
        + "Connection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nX-Kept: a\r\nX-Kept: b\r\n"
        + "Via: 1.1 origin\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\nConnection: x-hop-trailer\r\nX-Hop-Trailer: h\r\n\r\n");
    start(fastPath, upstream.port, ", response_headers: { set: { x-route: r1 } }");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/", h.proxyPort), true);
      Http2Headers head = wire.responseHeaders(1);
      assertThat(head.status().toString()).isEqualTo("103"); // RFC 9113 §8.1: before the final HEADERS
      assertThat(head.get("link").toString()).isEqualTo("</s.css>; rel=preload");
      assertThat(head.contains("x-hop")).isFalse();
      head = wire.responseHeaders(1);
      assertThat(head.status().toString()).isEqualTo("201");
      assertThat(head.getAll("x-kept")).extracting(CharSequence::toString).containsExactly("a", "b");
      assertThat(head.get("via").toString()).isEqualTo("1.1 origin, 1.1 sidecar");
      assertThat(head.get("x-route").toString()).isEqualTo("r1");
      for (String hopByHop : List.of("connection", "x-hop", "keep-alive", "transfer-encoding")) {
        assertThat(head.contains(hopByHop)).as(hopByHop).isFalse();
      }
      StringBuilder body = new StringBuilder();
      H2Wire.Frame end;
      do { // DATA up to the trailing HEADERS, which end the stream
        end = wire.next(f -> f.stream() == 1 && (f.type() == H2Wire.DATA || f.type() == H2Wire.HEADERS));
        if (end.type() == H2Wire.DATA) body.append(new String(end.payload(), StandardCharsets.UTF_8));
      } while (end.type() == H2Wire.DATA);
      assertThat(body.toString()).isEqualTo("hello world");
      Http2Headers trailers = wire.decode(end);
      assertThat(trailers.get("x-trailer").toString()).isEqualTo("t");
      assertThat(trailers.contains("x-hop-trailer")).isFalse();
    }
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void keptAliveUpstreamConnectionsServeTheNextRequests(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> OK);
    start(fastPath, upstream.port, "");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      for (int stream = 1; stream <= 9; stream += 2) {
        wire.headers(stream, H2Wire.get("/" + stream, h.proxyPort), true);
        assertThat(wire.body(stream)).isEqualTo("ok");
      }
    }
    assertThat(upstream.requests).hasSize(5);
    assertThat(upstream.connections.get()).isEqualTo(1);
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void anUpstreamThatClosesBeforeItsResponseIs502AndMidBodyResetsTheStream(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> request.startsWith("GET /none ") ? "CLOSE"
        : "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartCLOSE");
    start(fastPath, upstream.port, "");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/none", h.proxyPort), true);
      Http2Headers head = wire.responseHeaders(1);
      assertThat(head.status().toString()).isEqualTo("502");
      assertThat(head.get(ResponseFlag.HEADER).toString()).isEqualTo("UR");
      wire.headers(3, H2Wire.get("/half", h.proxyPort), true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("200");
      wire.streamError(3); // not an END_STREAM: the client cannot take 4 bytes for the whole body
    }
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void anUpstreamSilentPastTheRouteTimeoutIs504AndItsConnectionCloses(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> null);
    start(fastPath, upstream.port, ", timeout: 300ms");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/slow", h.proxyPort), true);
      Http2Headers head = wire.responseHeaders(1);
      assertThat(head.status().toString()).isEqualTo("504");
      assertThat(head.get(ResponseFlag.HEADER).toString()).isEqualTo("UT");
    }
    ProxyHarness.within(5000, () -> upstream.closed.get() == 1);
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aStreamTheClientResetsMidResponseClosesItsUpstreamConnection(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nfirst");
    start(fastPath, upstream.port, "");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/", h.proxyPort), true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200");
      wire.rstStream(1, 0x8); // CANCEL
      ProxyHarness.within(5000, () -> upstream.closed.get() == 1);
      wire.headers(3, H2Wire.get("/", h.proxyPort), true); // the connection still serves
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("200");
    }
    assertThat(upstream.connections.get()).isEqualTo(2);
  }

  /** 32 MiB down and 8 MiB up (chunked) through a real client and server, each byte counted. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void largeBodiesStreamBothWays(boolean fastPath) throws Exception {
    int mib = 1024 * 1024;
    Buffer piece = Buffer.buffer(new byte[64 * 1024]);
    AtomicLong uploaded = new AtomicLong();
    int upstream = h.upstream((HttpServerRequest req) -> {
      if (req.method() == HttpMethod.POST) {
        req.handler(b -> uploaded.addAndGet(b.length()));
        req.endHandler(v -> req.response().end("got " + uploaded.get()));
        return;
      }
      req.response().setChunked(true);
      writeMany(req.response(), piece, 32 * 16);
    });
    start(fastPath, upstream, "");
    HttpClient client = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    RequestOptions get = new RequestOptions().setHost("127.0.0.1").setPort(h.proxyPort).setURI("/big");
    long received = client.request(get).compose(req -> req.send()).compose(resp -> {
      AtomicLong n = new AtomicLong();
      resp.handler(b -> n.addAndGet(b.length()));
      return resp.end().map(v -> n.get());
    }).await(30, TimeUnit.SECONDS);
    assertThat(received).isEqualTo(32L * mib);
    RequestOptions post = new RequestOptions(get).setMethod(HttpMethod.POST).setURI("/up");
    String answer = client.request(post).compose(req -> {
      writeMany(req.setChunked(true), piece, 8 * 16); // HTTP/2 sends no transfer-encoding: Vert.x's flag for "no length"

      return req.response();
    }).compose(resp -> resp.body()).await(30, TimeUnit.SECONDS).toString();
    assertThat(answer).isEqualTo("got " + 8L * mib);
  }

  /** Writes {@code piece} {@code times} times with back-pressure, then ends. */
  private static void writeMany(io.vertx.core.streams.WriteStream<Buffer> out, Buffer piece, int times) {
    AtomicInteger left = new AtomicInteger(times);
    Runnable[] more = new Runnable[1];
    more[0] = () -> {
      while (left.get() > 0 && !out.writeQueueFull()) {
        left.decrementAndGet();
        out.write(piece.copy());
      }
      if (left.get() == 0) out.end();
      else out.drainHandler(v -> more[0].run());
    };
    more[0].run();
  }

  /**
   * A field value with CR, LF or NUL makes an HTTP/2 request malformed (RFC 9113 §8.2.1); written into an HTTP/1.1
   * head it would be a line of its own, a field the client smuggled past the proxy. It never reaches the upstream.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aFieldValueWithALineBreakNeverReachesTheUpstream(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> OK);
    start(fastPath, upstream.port, "");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, unvalidated().add("x-a", "1\r\nx-injected: 1"), true);
      wire.headers(3, unvalidated().add("x-b", "1\nx-injected: 2"), true);
      wire.headers(5, unvalidated().add("x-c", "1\u0000x"), true);
      wire.headers(7, H2Wire.get("/after", h.proxyPort), true);
      assertThat(wire.body(7)).isEqualTo("ok");
    }
    assertThat(upstream.requests).hasSize(1).noneMatch(r -> r.contains("x-injected") || r.contains("x-a:") || r.contains("x-b:")
        || r.contains("x-c:"));
  }

  /** A GET whose fields Netty does not check as they are added: the test sends what a client must not. */
  private Http2Headers unvalidated() {
    return new io.netty.handler.codec.http2.DefaultHttp2Headers(false).method("GET").scheme("http").path("/")
        .authority("127.0.0.1:" + h.proxyPort);
  }

  /** The access log has the same line for an HTTP/2 request on both paths (the byte-level path's own has none). */
  @Test
  void theAccessLogHasTheSameLineOnBothPaths() throws Exception {
    List<io.vertx.core.json.JsonObject> entries = new ArrayList<>();
    for (boolean fastPath : new boolean[] {true, false}) {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("access", ".log");
      ProxyHarness logged = new ProxyHarness(AccessLog.open(file.toString()));
      try {
        int upstream = logged.upstream(req -> req.response().end("ok"));
        logged.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + """
            listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
            routes: [ { name: r, cluster: app } ]
            clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
            """.formatted(upstream));
        try (H2Wire wire = H2Wire.connect(logged.proxyPort)) {
          wire.headers(1, H2Wire.get("/logged?x=1", logged.proxyPort).add("x-request-id", "id-7"), true);
          assertThat(wire.body(1)).isEqualTo("ok");
        }
      } finally {
        logged.close();
        logged.runtime.accessLog().close();
      }
      List<String> lines = java.nio.file.Files.readAllLines(file);
      assertThat(lines).hasSize(1);
      io.vertx.core.json.JsonObject entry = new io.vertx.core.json.JsonObject(lines.get(0));
      assertThat(entry.getString("upstream")).startsWith("127.0.0.1:");
      entry.remove("ts");
      entry.remove("duration_ms");
      entry.remove("upstream"); // each run has its own origin port
      entries.add(entry);
    }
    assertThat(entries.get(0).getString("route")).isEqualTo("r");
    assertThat(entries.get(0).getInteger("status")).isEqualTo(200);
    assertThat(entries.get(0)).isEqualTo(entries.get(1));
  }

  /** HEAD, 204 and 304 answers have no body, whatever length their head gives; a close-delimited body ends at the close. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void bodilessAnswersAndACloseDelimitedBody(boolean fastPath) throws Exception {
    ScriptedUpstream upstream = new ScriptedUpstream(request -> {
      if (request.startsWith("HEAD ")) return "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n";
      if (request.startsWith("GET /204 ")) return "HTTP/1.1 204 No Content\r\n\r\n";
      if (request.startsWith("GET /304 ")) return "HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\n\r\n";
      return "HTTP/1.0 200 OK\r\n\r\nuntil the closeCLOSE";
    });
    start(fastPath, upstream.port, "");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/head", h.proxyPort).method("HEAD"), true);
      Http2Headers head = endedHead(wire, 1);
      assertThat(head.status().toString()).isEqualTo("200");
      assertThat(head.get("content-length").toString()).isEqualTo("1234");
      wire.headers(3, H2Wire.get("/204", h.proxyPort), true);
      assertThat(endedHead(wire, 3).status().toString()).isEqualTo("204");
      wire.headers(5, H2Wire.get("/304", h.proxyPort), true);
      Http2Headers notModified = endedHead(wire, 5);
      assertThat(notModified.status().toString()).isEqualTo("304");
      assertThat(notModified.get("etag").toString()).isEqualTo("\"v1\"");
      wire.headers(7, H2Wire.get("/old", h.proxyPort), true);
      Http2Headers old = wire.responseHeaders(7);
      assertThat(old.status().toString()).isEqualTo("200");
      assertThat(old.get("via").toString()).isEqualTo("1.0 sidecar"); // RFC 9110 §7.6.3: the version it came in
      assertThat(wire.body(7)).isEqualTo("until the close");
    }
    assertThat(upstream.connections.get()).as("kept alive until the close-delimited body").isEqualTo(1);
  }

  /**
   * An upstream that answers before the upload is over (a 413 of its own): the client gets it, the rest is dropped.
   * Also on a caching route, whose requests go through {@link CachingExchange}.
   */
  @ParameterizedTest(name = "fast_path: {0}, route: {1}")
  @CsvSource(delimiter = '|', value = {"true|", "false|", "true|, cache: { enabled: true }"})
  void anAnswerBeforeTheUploadEndsReachesTheClient(boolean fastPath, String routeExtras) throws Exception {
    int upstream = h.upstream((HttpServerRequest req) -> req.response().setStatusCode(413).end("too big"));
    start(fastPath, upstream, routeExtras == null ? "" : routeExtras);
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/up", h.proxyPort).method("POST"), false);
      wire.data(1, "first piece", false);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("413");
      assertThat(wire.body(1)).isEqualTo("too big");
      assertThat(wire.streamError(1)).as("RST_STREAM NO_ERROR: no more of the body").isZero();
      wire.headers(3, H2Wire.get("/next", h.proxyPort), true); // the connection goes on
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("413");
    }
  }

  /**
   * A stream the client ended with its HEADERS and the sidecar answered itself at once (an open circuit breaker's 503
   * {@code BO}, written before Vert.x had delivered the request's end) is over on both sides: no RST_STREAM follows
   * the answer (the reset above is for a client still sending). Vert.x's {@code isEnded()} is false until the end is
   * delivered, so a check on it sent the reset; {@link EarlyAnswerReset} reads Netty's stream state instead.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void anImmediateLocalAnswerToAnEndedRequestIsNotFollowedByAReset(boolean fastPath) throws Exception {
    int sick = h.upstream((HttpServerRequest req) -> req.response().setStatusCode(500).end("boom"));
    h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app, timeout: 2s } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ],
                      circuit_breaker: { failure_rate: 50, window: 4, min_calls: 4, open_for: 30s } } ]
        """.formatted(sick));
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      for (int stream = 1; stream <= 7; stream += 2) {
        wire.headers(stream, H2Wire.get("/", h.proxyPort), true);
        assertThat(wire.responseHeaders(stream).status().toString()).isEqualTo("500");
        wire.body(stream);
      }
      wire.headers(9, H2Wire.get("/", h.proxyPort), true);
      Http2Headers refused = wire.responseHeaders(9);
      assertThat(refused.status().toString() + " " + refused.get(ResponseFlag.HEADER)).isEqualTo("503 BO");
      wire.body(9);
      wire.frame(H2Wire.PING, 0, 0, new byte[8]);
      H2Wire.Frame next = wire.next(f -> f.type() == H2Wire.PING || f.type() == H2Wire.RST_STREAM);
      assertThat(next.type()).as("the PING's ACK, not a RST_STREAM on stream " + next.stream()).isEqualTo(H2Wire.PING);
    }
  }

  /** The response head of {@code stream}, which must end the stream (no DATA follows). */
  private static Http2Headers endedHead(H2Wire wire, int stream) throws Exception {
    H2Wire.Frame f = wire.next(x -> x.stream() == stream && (x.type() == H2Wire.HEADERS || x.type() == H2Wire.DATA));
    assertThat(f.type()).as("a HEADERS frame").isEqualTo(H2Wire.HEADERS);
    assertThat(f.has(H2Wire.END_STREAM)).as("END_STREAM on the head").isTrue();
    return wire.decode(f);
  }

  /**
   * An upstream that closes a kept-alive connection as the next request arrives (an idle timeout racing it): a GET is
   * sent again on a new connection; a POST, which may not be sent twice, is 502 UR.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aBodilessIdempotentRequestIsSentAgainWhenItsKeptAliveConnectionCloses(boolean fastPath) throws Exception {
    AtomicInteger seen = new AtomicInteger();
    // on each connection the first request is answered and the second met with a close (requests 2 and 4)
    ScriptedUpstream upstream = new ScriptedUpstream(request -> {
      int n = seen.incrementAndGet();
      return n == 2 || n == 4 ? "CLOSE" : OK;
    });
    start(fastPath, upstream.port, "");
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/first", h.proxyPort), true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200"); // decoded: HPACK keeps state
      assertThat(wire.body(1)).isEqualTo("ok");
      wire.headers(3, H2Wire.get("/again", h.proxyPort), true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("200");
      assertThat(upstream.requests).extracting(r -> r.substring(0, r.indexOf(' ', 4)))
          .containsExactly("GET /first", "GET /again", "GET /again");
      wire.headers(5, H2Wire.get("/post", h.proxyPort).method("POST").add("content-length", "0"), true);
      Http2Headers head = wire.responseHeaders(5);
      assertThat(head.status().toString()).isEqualTo("502");
      assertThat(head.get(ResponseFlag.HEADER).toString()).isEqualTo("UR");
    }
    assertThat(upstream.requests).hasSize(4); // the POST once
  }

  /**
   * A client that stops reading holds the upstream back (HTTP/2 flow control, then the upstream connection's reads
   * stop): the upstream, writing 48 MiB with back-pressure of its own, stalls well short of it, and the whole body
   * arrives once the client reads again. Without the pause the sidecar would buffer all of it.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aClientThatStopsReadingHoldsTheUpstreamBack(boolean fastPath) throws Exception {
    int total = 48 * 1024 * 1024;
    Buffer piece = Buffer.buffer(new byte[64 * 1024]);
    AtomicLong written = new AtomicLong();
    int upstream = h.upstream((HttpServerRequest req) -> {
      req.response().setChunked(true);
      AtomicInteger left = new AtomicInteger(total / piece.length());
      Runnable[] more = new Runnable[1];
      more[0] = () -> {
        while (left.get() > 0 && !req.response().writeQueueFull()) {
          left.decrementAndGet();
          written.addAndGet(piece.length());
          req.response().write(piece.copy());
        }
        if (left.get() == 0) req.response().end();
        else req.response().drainHandler(v -> more[0].run());
      };
      more[0].run();
    });
    start(fastPath, upstream, "");
    HttpClient client = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    RequestOptions get = new RequestOptions().setHost("127.0.0.1").setPort(h.proxyPort).setURI("/big");
    AtomicLong received = new AtomicLong();
    io.vertx.core.Promise<Void> ended = io.vertx.core.Promise.promise();
    // paused and counted on the response's own loop, before any of its body can be delivered
    io.vertx.core.http.HttpClientResponse resp = client.request(get).compose(req -> req.send()).map(r -> {
      r.pause();
      r.handler(b -> received.addAndGet(b.length())).end().onComplete(ended);
      return r;
    }).await(10, TimeUnit.SECONDS);
    Thread.sleep(1500);
    long stalledAt = written.get();
    Thread.sleep(500);
    assertThat(written.get()).as("the upstream stalled").isEqualTo(stalledAt).isLessThan(total / 2);
    resp.resume();
    ended.future().await(30, TimeUnit.SECONDS);
    assertThat(received.get()).isEqualTo(total);
  }
}
