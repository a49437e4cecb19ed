package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.proxy.FastPathTest.RawUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retries on both paths, through real sockets: the byte-level path serves a retrying route's requests, from HTTP/1.1
 * clients ({@link FastPathExchange}) and HTTP/2 ones ({@link Http2RawExchange}), and must decide exactly as the full
 * path ({@link Exchange}) does. Each test runs for both kinds of client with {@code fast_path} on and off and checks,
 * with the byte-level path's counters, which path served.
 */
class RetryPathsTest {
  private final ProxyHarness h = new ProxyHarness();
  /** An HTTP/2 client (h2c with prior knowledge). */
  private final HttpClient h2 = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false));

  /** The client's protocol, and whether the byte-level path is on ({@code server.fast_path}). */
  enum Mode {
    HTTP1_FAST_PATH(false, true), HTTP1_FULL_PATH(false, false), HTTP2_FAST_PATH(true, true), HTTP2_FULL_PATH(true, false);

    final boolean http2;
    final boolean fastPath;

    Mode(boolean http2, boolean fastPath) {
      this.http2 = http2;
      this.fastPath = fastPath;
    }
  }

  private Mode mode;

  @AfterEach
  void tearDown() {
    h.close();
  }

  private long configVersion;

  /** Starts the proxy, or reconfigures it when called again. */
  private void start(Mode mode, String retry, String clusterExtra, int... ports) {
    this.mode = mode;
    boolean fastPath = mode.fastPath;
    StringBuilder endpoints = new StringBuilder();
    for (int p : ports) endpoints.append(endpoints.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(p).append('"');
    h.start(++configVersion, """
        server: { fast_path: %s }
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: r
            cluster: app
            timeout: 3s
            retry: %s
        clusters:
          - { name: app, balancer: round_robin, endpoints: [ %s ]%s }
        """.formatted(fastPath, retry, endpoints, clusterExtra));
  }

  private String get(String path) {
    ProxyHarness.Reply r = send(HttpMethod.GET, path, null, null);
    return r.status() + " " + r.body();
  }

  /** One request through the proxy, by the mode's client; {@code headers} and {@code body} may be null. */
  private ProxyHarness.Reply send(HttpMethod method, String path, MultiMap headers, String body) {
    if (!mode.http2) return h.send(method, path, headers, body);
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(h.proxyPort).setURI(path);
    if (headers != null) options.setHeaders(headers);
    return ProxyHarness.await(h.onClientContext(() -> h2.request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new ProxyHarness.Reply(resp.statusCode(), resp.headers(), b.toString())))));
  }

  /** The byte-level path served {@code requests} requests of the mode's protocol, or none with it off. */
  private void assertPath(Mode mode, int requests) {
    var http1 = h.registry.find("sidecar_fast_path_requests").counter();
    var http2 = h.registry.find("sidecar_fast_path_http2_requests").counter();
    assertThat(http1 == null ? 0 : http1.count()).isEqualTo(mode.fastPath && !mode.http2 ? requests : 0.0);
    assertThat(http2 == null ? 0 : http2.count()).isEqualTo(mode.fastPath && mode.http2 ? requests : 0.0);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aConnectFailureIsRetriedOnTheOtherEndpoint(Mode mode) {
    int dead = ProxyHarness.freePort();
    int live = h.upstream(req -> req.response().end("live"));
    start(mode, "{ on: [connect-failure], attempts: 1 }", "", dead, live);
    for (int i = 0; i < 4; i++) assertThat(get("/")).isEqualTo("200 live");
    assertPath(mode, 4);
  }

  /** A 503 is held while the retry goes to the other endpoint, whose answer the client gets; the sick one sees one try. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aGatewayErrorIsRetriedOnTheOtherEndpoint(Mode mode) {
    AtomicInteger sickCalls = new AtomicInteger();
    int sick = h.upstream(req -> {
      sickCalls.incrementAndGet();
      req.response().setStatusCode(503).end("sick".repeat(2000)); // a body bigger than one read
    });
    int healthy = h.upstream(req -> req.response().end("healthy"));
    start(mode, "{ on: [gateway-error], attempts: 1 }", "", sick, healthy);
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) replies.add(get("/"));
    assertThat(replies).containsOnly("200 healthy");
    assertThat(sickCalls.get()).isBetween(1, 6);
    assertPath(mode, 6);
  }

  /** With every attempt answered 503, the client gets the last 503 itself, not a sidecar error. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void whenEveryTryFailsTheLastAnswerIsRelayed(Mode mode) {
    AtomicInteger calls = new AtomicInteger();
    int a = h.upstream(req -> req.response().setStatusCode(503).putHeader("x-try", "" + calls.incrementAndGet()).end("sick a"));
    int b = h.upstream(req -> req.response().setStatusCode(503).putHeader("x-try", "" + calls.incrementAndGet()).end("sick b"));
    start(mode, "{ on: [5xx], attempts: 2 }", "", a, b);
    ProxyHarness.Reply reply = send(HttpMethod.GET, "/", null, null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body()).startsWith("sick");
    assertThat(reply.headers().get("x-try")).isEqualTo("3"); // three tries, the third relayed
    assertThat(reply.headers().get(ResponseFlag.HEADER)).isNull();
    assertThat(calls.get()).isEqualTo(3);
    assertPath(mode, 1);
  }

  /**
   * The balancer refuses the retry (the cluster's max_retries is 0): the held 503 goes to the client after all, as
   * the upstream sent it, not the sidecar's 503 LO.
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aRefusedRetryRelaysTheHeldAnswer(Mode mode) {
    int sick = h.upstream(req -> req.response().setStatusCode(503).putHeader("x-from", "upstream").end("sick"));
    start(mode, "{ on: [5xx], attempts: 2 }", ", limits: { max_retries: 0 }", sick);
    for (int i = 0; i < 3; i++) {
      ProxyHarness.Reply reply = send(HttpMethod.GET, "/", null, null);
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.body()).isEqualTo("sick");
      assertThat(reply.headers().get("x-from")).isEqualTo("upstream");
    }
    assertPath(mode, 3);
  }

  /** The same when the upstream closed the connection right after its answer, while it was held: it is still relayed. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aHeldAnswerWhoseConnectionClosedIsStillRelayed(Mode mode) throws Exception {
    String sick = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nsick";
    try (RawUpstream upstream = new RawUpstream(List.of(sick))) { // closes after its last answer
      start(mode, "{ on: [5xx], attempts: 2, backoff_base: 100ms }", ", limits: { max_retries: 0 }", upstream.port());
      ProxyHarness.Reply reply = send(HttpMethod.GET, "/", null, null);
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.body()).isEqualTo("sick");
      assertThat(reply.headers().get(ResponseFlag.HEADER)).isNull();
    }
    assertPath(mode, 1);
  }

  /** A try slower than per_try_timeout is abandoned for the other endpoint, well within the route timeout. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aSlowTryIsAbandonedAfterThePerTryTimeout(Mode mode) {
    int slow = h.upstream(req -> h.vertx.setTimer(1_500, t -> req.response().end("slow")));
    int fast = h.upstream(req -> req.response().end("fast"));
    start(mode, "{ on: [5xx], attempts: 1, per_try_timeout: 200ms }", "", slow, fast);
    for (int i = 0; i < 2; i++) assertThat(get("/")).isEqualTo("200 fast");
    assertPath(mode, 2);
  }

  /** An upstream that resets the connection before answering: the GET is retried on a new connection. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aResetBeforeTheAnswerIsRetried(Mode mode) throws Exception {
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    try (RawUpstream upstream = new RawUpstream(List.of(RawUpstream.RESET, ok))) {
      start(mode, "{ on: [reset], attempts: 1 }", "", upstream.port());
      assertThat(get("/")).isEqualTo("200 ok");
      assertThat(upstream.connections()).isEqualTo(2);
    }
    assertPath(mode, 1);
  }

  /** A PUT's body, read whole first (it fits the replay buffer), goes to every try: the retry sends it again. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aBodyWithinTheReplayBufferIsSentAgainOnTheRetry(Mode mode) throws Exception {
    List<String> sickGot = new java.util.concurrent.CopyOnWriteArrayList<>();
    int sick = h.upstream(req -> req.body().onSuccess(b -> {
      sickGot.add(b.toString());
      req.response().setStatusCode(503).end("sick");
    }));
    int healthy = h.upstream(req -> req.body().onSuccess(b -> req.response().end("healthy:" + b)));
    start(mode, "{ on: [gateway-error], attempts: 1 }", "", sick, healthy);
    String body = "payload-" + "x".repeat(3000);
    for (int i = 0; i < 4; i++) {
      ProxyHarness.Reply reply = send(HttpMethod.PUT, "/", null, body);
      assertThat(reply.status() + " " + reply.body()).isEqualTo("200 healthy:" + body);
    }
    assertThat(sickGot).isNotEmpty().containsOnly(body);
    if (mode.http2) { // HTTP/2 has no Expect handshake to check here
      assertPath(mode, 4);
      return;
    }
    // a client that waits for 100 Continue gets it before its body is read
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      for (int i = 0; i < 2; i++) {
        client.write("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(100);
        client.write("hello");
        assertThat(client.read().body()).isEqualTo("healthy:hello");
      }
    }
    assertPath(mode, 6);
  }

  /** A body larger than the replay buffer is streamed: not repeated after a 503. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aBodyOverTheReplayBufferIsStreamedOnce(Mode mode) {
    AtomicInteger calls = new AtomicInteger();
    int sick = h.upstream(req -> req.body().onSuccess(b -> { calls.incrementAndGet(); req.response().setStatusCode(503).end("sick"); }));
    start(mode, "{ on: [gateway-error], attempts: 1, max_buffered_body: 16 }", "", sick);
    ProxyHarness.Reply reply = send(HttpMethod.PUT, "/", null, "x".repeat(17));
    assertThat(reply.status()).isEqualTo(503);
    assertThat(calls.get()).isEqualTo(1);
    assertPath(mode, 1);
  }

  /**
   * A streamed body (over the replay buffer) whose try failed to connect, so that none of it went out, is sent on the
   * next try with the bytes read so far: every request reaches the live endpoint whole, whichever endpoint is first.
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aStreamedBodyIsRetriedWholeAfterAConnectFailure(Mode mode) {
    int dead = ProxyHarness.freePort();
    int live = h.upstream(req -> req.body().onSuccess(b -> req.response().end("live " + b)));
    start(mode, "{ on: [connect-failure], attempts: 1, max_buffered_body: 16 }", "", dead, live);
    for (int i = 0; i < 4; i++) {
      String body = "body-" + i + "-" + "y".repeat(40);
      ProxyHarness.Reply reply = send(HttpMethod.PUT, "/", null, body);
      assertThat(reply.status() + " " + reply.body()).isEqualTo("200 live " + body);
    }
    assertPath(mode, 4);
  }

  /**
   * A body without a length (chunked on HTTP/1.1, DATA frames without content-length on HTTP/2) cannot be replayed: it
   * streams, is not repeated after a 503, and after a connect failure (none of it sent) goes whole to the next try.
   */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aBodyWithoutALengthStreamsAndIsRetriedOnlyAfterAConnectFailure(Mode mode) {
    int dead = ProxyHarness.freePort();
    AtomicInteger sickCalls = new AtomicInteger();
    int sick = h.upstream(req -> req.body().onSuccess(b -> {
      sickCalls.incrementAndGet();
      req.response().setStatusCode(503).end("sick " + b);
    }));
    int live = h.upstream(req -> req.body().onSuccess(b -> req.response().end("live " + b
        + " " + req.getHeader("transfer-encoding"))));
    start(mode, "{ on: [connect-failure, gateway-error], attempts: 1 }", "", dead, live);
    for (int i = 0; i < 4; i++) {
      assertThat(sendChunked("/", "part-" + i + "-a;", "part-" + i + "-b")).isEqualTo("200 live part-" + i + "-a;part-" + i + "-b chunked");
    }
    start(mode, "{ on: [connect-failure, gateway-error], attempts: 1 }", "", sick, live);
    int before = sickCalls.get();
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < 4; i++) replies.add(sendChunked("/", "x;", "y"));
    assertThat(replies).contains("503 sick x;y").allMatch(r -> r.equals("503 sick x;y") || r.equals("200 live x;y chunked"));
    assertThat(sickCalls.get() - before).isEqualTo((int) replies.stream().filter(r -> r.startsWith("503")).count());
    assertPath(mode, 8);
  }

  /** A PUT whose body goes in two writes without a length: chunked on HTTP/1.1, DATA frames alone on HTTP/2. */
  private String sendChunked(String path, String first, String second) {
    HttpClient client = mode.http2 ? h2 : h.client;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.PUT).setHost("127.0.0.1").setPort(h.proxyPort)
        .setURI(path);
    return ProxyHarness.await(h.onClientContext(() -> client.request(options).compose(req -> {
      req.setChunked(true);
      req.write(first);
      return req.end(second).compose(v -> req.response());
    }).compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))));
  }

  /** A POST (not idempotent) without a body is not repeated after a 503 unless the route allows it. */
  @ParameterizedTest
  @EnumSource(Mode.class)
  void aPostIsNotRepeatedUnlessAllowed(Mode mode) {
    AtomicInteger calls = new AtomicInteger();
    int a = h.upstream(req -> { calls.incrementAndGet(); req.response().setStatusCode(503).end("a"); });
    int b = h.upstream(req -> { calls.incrementAndGet(); req.response().end("b"); });
    start(mode, "{ on: [5xx], attempts: 1 }", "", a, b);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) statuses.add(send(HttpMethod.POST, "/", null, null).status());
    assertThat(statuses).contains(503);
    assertThat(calls.get()).isEqualTo(4);
    assertPath(mode, 4);

    start(mode, "{ on: [5xx], attempts: 1, non_idempotent: true }", "", a, b); // allowed: retried
    List<Integer> allowed = new ArrayList<>();
    for (int i = 0; i < 4; i++) allowed.add(send(HttpMethod.POST, "/", null, null).status());
    assertThat(allowed).containsOnly(200);
  }
}
