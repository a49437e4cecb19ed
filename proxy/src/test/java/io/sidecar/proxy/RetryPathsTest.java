package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.proxy.FastPathTest.RawUpstream;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retries on both paths, through real sockets: the byte-level path serves a retrying route's requests without a body
 * and must decide exactly as the full path ({@link Exchange}) does. Each test runs with {@code fast_path} on and off
 * and checks, with the on-path counter, which path served.
 */
class RetryPathsTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private long configVersion;

  /** Starts the proxy, or reconfigures it when called again. */
  private void start(boolean fastPath, String retry, String clusterExtra, int... ports) {
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
    ProxyHarness.Reply r = h.send(HttpMethod.GET, path, null, null);
    return r.status() + " " + r.body();
  }

  private void assertPath(boolean fastPath, int requests) {
    var c = h.registry.find("sidecar_fast_path_requests").counter();
    assertThat(c == null ? 0 : c.count()).isEqualTo(fastPath ? requests : 0.0);
  }

  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aConnectFailureIsRetriedOnTheOtherEndpoint(boolean fastPath) {
    int dead = ProxyHarness.freePort();
    int live = h.upstream(req -> req.response().end("live"));
    start(fastPath, "{ on: [connect-failure], attempts: 1 }", "", dead, live);
    for (int i = 0; i < 4; i++) assertThat(get("/")).isEqualTo("200 live");
    assertPath(fastPath, 4);
  }

  /** A 503 is held while the retry goes to the other endpoint, whose answer the client gets; the sick one sees one try. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aGatewayErrorIsRetriedOnTheOtherEndpoint(boolean fastPath) {
    AtomicInteger sickCalls = new AtomicInteger();
    int sick = h.upstream(req -> {
      sickCalls.incrementAndGet();
      req.response().setStatusCode(503).end("sick".repeat(2000)); // a body bigger than one read
    });
    int healthy = h.upstream(req -> req.response().end("healthy"));
    start(fastPath, "{ on: [gateway-error], attempts: 1 }", "", sick, healthy);
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) replies.add(get("/"));
    assertThat(replies).containsOnly("200 healthy");
    assertThat(sickCalls.get()).isBetween(1, 6);
    assertPath(fastPath, 6);
  }

  /** With every attempt answered 503, the client gets the last 503 itself, not a sidecar error. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void whenEveryTryFailsTheLastAnswerIsRelayed(boolean fastPath) {
    AtomicInteger calls = new AtomicInteger();
    int a = h.upstream(req -> req.response().setStatusCode(503).putHeader("x-try", "" + calls.incrementAndGet()).end("sick a"));
    int b = h.upstream(req -> req.response().setStatusCode(503).putHeader("x-try", "" + calls.incrementAndGet()).end("sick b"));
    start(fastPath, "{ on: [5xx], attempts: 2 }", "", a, b);
    ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/", null, null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body()).startsWith("sick");
    assertThat(reply.headers().get("x-try")).isEqualTo("3"); // three tries, the third relayed
    assertThat(reply.headers().get(ResponseFlag.HEADER)).isNull();
    assertThat(calls.get()).isEqualTo(3);
    assertPath(fastPath, 1);
  }

  /**
   * The balancer refuses the retry (the cluster's max_retries is 0): the held 503 goes to the client after all, as
   * the upstream sent it, not the sidecar's 503 LO.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aRefusedRetryRelaysTheHeldAnswer(boolean fastPath) {
    int sick = h.upstream(req -> req.response().setStatusCode(503).putHeader("x-from", "upstream").end("sick"));
    start(fastPath, "{ on: [5xx], attempts: 2 }", ", limits: { max_retries: 0 }", sick);
    for (int i = 0; i < 3; i++) {
      ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/", null, null);
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.body()).isEqualTo("sick");
      assertThat(reply.headers().get("x-from")).isEqualTo("upstream");
    }
    assertPath(fastPath, 3);
  }

  /** The same when the upstream closed the connection right after its answer, while it was held: it is still relayed. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aHeldAnswerWhoseConnectionClosedIsStillRelayed(boolean fastPath) throws Exception {
    String sick = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nsick";
    try (RawUpstream upstream = new RawUpstream(List.of(sick))) { // closes after its last answer
      start(fastPath, "{ on: [5xx], attempts: 2, backoff_base: 100ms }", ", limits: { max_retries: 0 }", upstream.port());
      ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/", null, null);
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.body()).isEqualTo("sick");
      assertThat(reply.headers().get(ResponseFlag.HEADER)).isNull();
    }
    assertPath(fastPath, 1);
  }

  /** A try slower than per_try_timeout is abandoned for the other endpoint, well within the route timeout. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aSlowTryIsAbandonedAfterThePerTryTimeout(boolean fastPath) {
    int slow = h.upstream(req -> h.vertx.setTimer(1_500, t -> req.response().end("slow")));
    int fast = h.upstream(req -> req.response().end("fast"));
    start(fastPath, "{ on: [5xx], attempts: 1, per_try_timeout: 200ms }", "", slow, fast);
    for (int i = 0; i < 2; i++) assertThat(get("/")).isEqualTo("200 fast");
    assertPath(fastPath, 2);
  }

  /** An upstream that resets the connection before answering: the GET is retried on a new connection. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aResetBeforeTheAnswerIsRetried(boolean fastPath) throws Exception {
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    try (RawUpstream upstream = new RawUpstream(List.of(RawUpstream.RESET, ok))) {
      start(fastPath, "{ on: [reset], attempts: 1 }", "", upstream.port());
      assertThat(get("/")).isEqualTo("200 ok");
      assertThat(upstream.connections()).isEqualTo(2);
    }
    assertPath(fastPath, 1);
  }

  /** A PUT's body, read whole first (it fits the replay buffer), goes to every try: the retry sends it again. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aBodyWithinTheReplayBufferIsSentAgainOnTheRetry(boolean fastPath) throws Exception {
    List<String> sickGot = new java.util.concurrent.CopyOnWriteArrayList<>();
    int sick = h.upstream(req -> req.body().onSuccess(b -> {
      sickGot.add(b.toString());
      req.response().setStatusCode(503).end("sick");
    }));
    int healthy = h.upstream(req -> req.body().onSuccess(b -> req.response().end("healthy:" + b)));
    start(fastPath, "{ on: [gateway-error], attempts: 1 }", "", sick, healthy);
    String body = "payload-" + "x".repeat(3000);
    for (int i = 0; i < 4; i++) {
      ProxyHarness.Reply reply = h.send(HttpMethod.PUT, "/", null, body);
      assertThat(reply.status() + " " + reply.body()).isEqualTo("200 healthy:" + body);
    }
    assertThat(sickGot).isNotEmpty().containsOnly(body);
    // a client that waits for 100 Continue gets it before its body is read
    try (RawHttpClient client = new RawHttpClient(h.proxyPort).readTimeout(3_000)) {
      for (int i = 0; i < 2; i++) {
        client.write("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(100);
        client.write("hello");
        assertThat(client.read().body()).isEqualTo("healthy:hello");
      }
    }
    assertPath(fastPath, 6);
  }

  /** A body larger than the replay buffer is streamed: not repeated after a 503. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aBodyOverTheReplayBufferIsStreamedOnce(boolean fastPath) {
    AtomicInteger calls = new AtomicInteger();
    int sick = h.upstream(req -> req.body().onSuccess(b -> { calls.incrementAndGet(); req.response().setStatusCode(503).end("sick"); }));
    start(fastPath, "{ on: [gateway-error], attempts: 1, max_buffered_body: 16 }", "", sick);
    ProxyHarness.Reply reply = h.send(HttpMethod.PUT, "/", null, "x".repeat(17));
    assertThat(reply.status()).isEqualTo(503);
    assertThat(calls.get()).isEqualTo(1);
    assertPath(fastPath, 1);
  }

  /**
   * A streamed body (over the replay buffer) whose try failed to connect, so that none of it went out, is sent on the
   * next try with the bytes read so far: every request reaches the live endpoint whole, whichever endpoint is first.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aStreamedBodyIsRetriedWholeAfterAConnectFailure(boolean fastPath) {
    int dead = ProxyHarness.freePort();
    int live = h.upstream(req -> req.body().onSuccess(b -> req.response().end("live " + b)));
    start(fastPath, "{ on: [connect-failure], attempts: 1, max_buffered_body: 16 }", "", dead, live);
    for (int i = 0; i < 4; i++) {
      String body = "body-" + i + "-" + "y".repeat(40);
      ProxyHarness.Reply reply = h.send(HttpMethod.PUT, "/", null, body);
      assertThat(reply.status() + " " + reply.body()).isEqualTo("200 live " + body);
    }
    assertPath(fastPath, 4);
  }

  /** A POST (not idempotent) without a body is not repeated after a 503 unless the route allows it. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aPostIsNotRepeatedUnlessAllowed(boolean fastPath) {
    AtomicInteger calls = new AtomicInteger();
    int a = h.upstream(req -> { calls.incrementAndGet(); req.response().setStatusCode(503).end("a"); });
    int b = h.upstream(req -> { calls.incrementAndGet(); req.response().end("b"); });
    start(fastPath, "{ on: [5xx], attempts: 1 }", "", a, b);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) statuses.add(h.send(HttpMethod.POST, "/", null, null).status());
    assertThat(statuses).contains(503);
    assertThat(calls.get()).isEqualTo(4);
    assertPath(fastPath, 4);

    start(fastPath, "{ on: [5xx], attempts: 1, non_idempotent: true }", "", a, b); // allowed: retried
    List<Integer> allowed = new ArrayList<>();
    for (int i = 0; i < 4; i++) allowed.add(h.send(HttpMethod.POST, "/", null, null).status());
    assertThat(allowed).containsOnly(200);
  }
}
