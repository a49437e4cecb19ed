package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that break HTTP/1.1's rules in ways Netty's decoder lets through or reports late, through real sockets:
 * the sidecar answers 400 (flag DPE) and ends the connection, and the upstream gets nothing it could read another
 * way (RFC 9112 §3.2, §6.3, §7.1, §9.6).
 */
class MalformedRequestTest {
  private final ProxyHarness h = new ProxyHarness();
  private final AtomicInteger upstreamRequests = new AtomicInteger();
  /** Requests whose body the upstream read to its end: a request it could act on. */
  private final AtomicInteger upstreamBodies = new AtomicInteger();
  /** Requests the upstream saw fail before their end (the sidecar reset them). */
  private final AtomicInteger upstreamResets = new AtomicInteger();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** Echoes what the upstream saw as JSON: the URI, the body and every header (names lower-cased). */
  private int echoUpstream() {
    return h.upstream(req -> {
      upstreamRequests.incrementAndGet();
      req.body().onFailure(failure -> upstreamResets.incrementAndGet()).onSuccess(body -> {
        upstreamBodies.incrementAndGet();
        JsonObject seen = new JsonObject().put("uri", req.uri()).put("body", body.toString());
        req.headers().forEach(e -> seen.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        req.response().end(seen.encode());
      });
    });
  }

  private void startWithEcho() {
    h.start(1, ProxyHarness.singleRoute(echoUpstream(), "    timeout: 5s\n"));
  }

  private double badRequests() {
    var c = h.registry.find("sidecar_bad_requests").counter();
    return c == null ? 0 : c.count();
  }

  /** Sends {@code request} on a new connection; expects a 400 DPE and the connection's end. */
  private void assertRejected(String request, String reason) throws Exception {
    assertRejected(request, 400, reason);
  }

  private void assertRejected(String request, int status, String reason) throws Exception {
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response reply = client.exchange(request);
      assertThat(reply.status()).as(request).isEqualTo(status);
      assertThat(reply.header("x-sidecar-flags")).isEqualTo("DPE");
      assertThat(reply.header("connection")).isEqualTo("close");
      assertThat(reply.body()).contains(reason);
      assertThat(client.atEndOfStream()).as("connection closed after the 400").isTrue();
    }
  }

  /**
   * RFC 9112 §2.3, RFC 9110 §15.6.6, as nginx and HAProxy answer: a higher minor version of HTTP/1 is served as
   * HTTP/1.1 and answered in HTTP/1.1; a major version the connection does not speak is 505; a version outside
   * {@code "HTTP/" DIGIT "." DIGIT} is 400. (Vert.x alone answered all of them 501, echoing the client's version.)
   * On the default listener the byte-level path judges them; behind Vert.x's own decoder ({@code fast_path: false})
   * {@link HttpVersionGuard} does, and {@link FirstRequestVersion} the first request of a listener that also speaks h2c.
   */
  @ParameterizedTest
  @ValueSource(strings = {"default listener", "fast_path: false, h2c: false", "fast_path: false"})
  void requestLineVersionsAreServedAsHttp11OrAnswered505Or400(String setUp) throws Exception {
    String yaml = ProxyHarness.singleRoute(echoUpstream(), "    timeout: 5s\n");
    if (setUp.startsWith("fast_path: false")) yaml = "server: { fast_path: false }\n" + yaml;
    if (setUp.contains("h2c: false")) yaml = yaml.replace("address: \"127.0.0.1:{PROXY}\"", "address: \"127.0.0.1:{PROXY}\", h2c: false");
    h.start(1, yaml);
    for (String version : List.of("HTTP/1.2", "HTTP/1.9")) {
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response reply = client.exchange("GET /api/v HTTP-V\r\nHost: a\r\n\r\n".replace("HTTP-V", version));
        assertThat(reply.status()).as(version).isEqualTo(200);
        assertThat(reply.version()).isEqualTo("HTTP/1.1");
        assertThat(new JsonObject(reply.body()).getString("uri")).isEqualTo("/v");
        // kept alive as HTTP/1.1 is
        assertThat(client.exchange("GET /api/w HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      }
    }
    // a request line arriving in pieces, after an empty line (RFC 9112 §2.2), is judged whole
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.write("\r\nGET /api/split HT");
      Thread.sleep(50);
      client.write("TP/1.");
      Thread.sleep(50);
      RawHttpClient.Response reply = client.exchange("2\r\nHost: a\r\n\r\n");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(new JsonObject(reply.body()).getString("uri")).isEqualTo("/split");
    }
    int served = upstreamRequests.get();
    int connections = 1;
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.write("GET /api/split HTTP/");
      Thread.sleep(50);
      assertThat(client.exchange("2.0\r\nHost: a\r\n\r\n").status()).isEqualTo(505);
      assertThat(client.atEndOfStream()).isTrue();
    }
    for (String version : List.of("HTTP/2.0", "HTTP/3.0", "HTTP/9.9", "http/1.1", "HTTP/01.1", "HTTP/1.10", "FTP/1.1")) {
      int expected = version.matches("HTTP/[2-9]\\.[0-9]") ? 505 : 400;
      for (boolean first : List.of(true, false)) { // a connection's first request, and a later one
        connections++;
        try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
          if (!first) assertThat(client.exchange("GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
          RawHttpClient.Response reply = client.exchange("GET /api/v HTTP-V\r\nHost: a\r\n\r\n".replace("HTTP-V", version));
          assertThat(reply.status()).as(version).isEqualTo(expected);
          assertThat(reply.version()).isEqualTo("HTTP/1.1");
          assertThat(reply.header("x-sidecar-flags")).isEqualTo("DPE");
          assertThat(reply.header("connection")).isEqualTo("close");
          assertThat(client.atEndOfStream()).as("closed after the %d", expected).isTrue();
        }
      }
    }
    assertThat(upstreamRequests.get()).as("only the requests before them").isEqualTo(served + 7);
    assertThat(badRequests()).isEqualTo(connections);
  }

  @Test
  void hostMustBePresentOnceAndValidInHttp11() throws Exception {
    startWithEcho();
    assertRejected("GET /api/a HTTP/1.1\r\n\r\n", "missing Host header");
    assertRejected("GET /api/a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host header");
    assertRejected("GET /api/a HTTP/1.1\r\nHost: a b\r\n\r\n", "invalid Host header");
    assertRejected("GET /api/a HTTP/1.1\r\nHost: a:99999\r\n\r\n", "invalid Host header");
    assertRejected("GET /api/a HTTP/1.1\r\nHost: %41bc\r\n\r\n", "invalid Host header"); // Vert.x's parser throws
    // RFC 9110 §4.2.1: an http URI with an empty host is invalid (it was forwarded with an empty Host)
    assertRejected("GET /api/a HTTP/1.1\r\nHost: \r\n\r\n", "empty Host header");
    assertThat(upstreamRequests).hasValue(0);
    assertThat(badRequests()).isEqualTo(6.0);
  }

  /**
   * Bytes above 0x7F in a target are not URI characters (RFC 3986 §2; HAProxy answers 400): the upstream got them
   * re-encoded (é, C3 A9, as C3 83 C2 A9), another path than the one routed. The asterisk-form is for OPTIONS only
   * (RFC 9112 §3.2.4). Found with Http11Probe's MAL-NON-ASCII-URL, MAL-URL-OVERLONG-UTF8 and COMP-ASTERISK-WITH-GET.
   */
  @Test
  void aTargetWithBytesAboveAsciiOrAnAsteriskOutsideOptionsIsRefused() throws Exception {
    startWithEcho();
    assertRejected("GET /api/caf\u00c3\u00a9 HTTP/1.1\r\nHost: a\r\n\r\n", "above 0x7F");
    assertRejected("GET /api/\u00c0\u00af HTTP/1.1\r\nHost: a\r\n\r\n", "above 0x7F");
    assertRejected("GET /api/a?q=\u00ff HTTP/1.1\r\nHost: a\r\n\r\n", "above 0x7F");
    assertRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", "asterisk-form");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(404); // no route
      RawHttpClient.Response encoded = client.exchange("GET /api/caf%C3%A9 HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(new JsonObject(encoded.body()).getString("uri")).isEqualTo("/caf%C3%A9");
    }
    assertThat(upstreamRequests).hasValue(1);
  }

  /**
   * CONNECT is answered 501 before routing (400 when its target is not {@code host:port}), on a connection the
   * byte-level path serves too, and nothing reaches the upstream. Forwarded (Http11Probe's COMP-METHOD-CONNECT found it), a 2xx answer to it has no body by definition
   * (RFC 9112 §6.3), so the pool took the connection back with the answer's body unread, and the next request sent
   * on it waited for its route timeout.
   */
  @Test
  void connectIsNotForwarded() throws Exception {
    startWithEcho();
    assertRejected("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501, "CONNECT");
    // not authority-form (RFC 9112 §3.2.3): a malformed request, 400
    assertRejected("CONNECT /api/tunnel HTTP/1.1\r\nHost: a\r\n\r\n", "authority-form");
    assertRejected("CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "authority-form");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange("GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      assertThat(client.exchange("CONNECT /api/tunnel HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(upstreamRequests).hasValue(1);
  }

  @Test
  void aConnectionTheByteLevelPathServesHandsAMissingHostOverAndIsRejected() throws Exception {
    startWithEcho();
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange("GET /api/first HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      assertThat(client.exchange("GET /api/second HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      RawHttpClient.Response reply = client.exchange("GET /api/third HTTP/1.1\r\n\r\n");
      assertThat(reply.status()).isEqualTo(400);
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(upstreamRequests).hasValue(2);
  }

  @Test
  void http10MayLeaveHostOut() throws Exception {
    startWithEcho();
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response reply = client.exchange("GET /api/old HTTP/1.0\r\n\r\n");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(new JsonObject(reply.body()).getString("uri")).isEqualTo("/old");
    }
  }

  @Test
  void anAbsoluteFormTargetsAuthorityReplacesHostForRoutingAndUpstream() throws Exception {
    int other = h.upstream(req -> req.response().end("other:" + req.getHeader("host")));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - { name: other, match: { hosts: [ other.example ] }, cluster: other }
          - { name: rest, match: { path_prefix: / }, cluster: app }
        clusters:
          - { name: other, endpoints: [ "127.0.0.1:%d" ] }
          - { name: app, endpoints: [ "127.0.0.1:%d" ] }
        """.formatted(other, echoUpstream()));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      // RFC 9112 §3.2.2: the target's authority wins over the Host field
      RawHttpClient.Response reply = client.exchange("GET http://other.example:8080/x HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("other:other.example:8080");
      JsonObject seen = new JsonObject(client.exchange("GET http://plain.example/y?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n").body());
      assertThat(seen.getString("uri")).isEqualTo("/y?q=1");
      assertThat(seen.getString("host")).isEqualTo("plain.example");
      assertThat(seen.getString("x-forwarded-host")).isEqualTo("plain.example");
    }
    assertRejected("GET http://user@plain.example/ HTTP/1.1\r\nHost: h\r\n\r\n", "invalid absolute-form request target");
  }

  /**
   * The body is streamed, as Envoy and HAProxy stream it (nginx buffers it first): when a pooled upstream connection
   * is at hand, the head may go out before the decoder reaches the bad chunk, even in the same read. What must hold
   * is that the upstream never gets a whole request: each head it saw is reset.
   */
  @Test
  void aMalformedChunkedBodyIs400AndNoUpstreamGetsAWholeRequest() throws Exception {
    startWithEcho();
    for (String body : List.of("zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcXX0\r\n\r\n", "-3\r\nabc\r\n0\r\n\r\n")) {
      assertRejected("POST /api/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + body, "malformed request body");
    }
    ProxyHarness.within(10_000, () -> upstreamResets.get() >= upstreamRequests.get());
    assertThat(upstreamResets).as("every head the upstream saw was reset").hasValue(upstreamRequests.get());
    assertThat(upstreamBodies).hasValue(0);
  }

  @Test
  void aMalformedChunkAfterTheUpstreamHasTheHeadIs400AndResetsTheUpstream() throws Exception {
    CompletableFuture<Void> headSeen = new CompletableFuture<>();
    CompletableFuture<Throwable> upstreamFailure = new CompletableFuture<>();
    int port = h.upstream(req -> {
      req.exceptionHandler(upstreamFailure::complete);
      req.response().exceptionHandler(upstreamFailure::complete);
      headSeen.complete(null);
    });
    h.start(1, ProxyHarness.singleRoute(port, "    timeout: 5s\n"));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.write("POST /api/a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      headSeen.get(10, TimeUnit.SECONDS);
      client.write("5\r\nworld\r\nnot-a-size\r\n");
      RawHttpClient.Response reply = client.read();
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.header("x-sidecar-flags")).isEqualTo("DPE");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(upstreamFailure.get(10, TimeUnit.SECONDS)).isNotNull();
    awaitFlagCount("DPE", 1.0);
  }

  @Test
  void closeInAConnectionListEndsTheConnectionAndCannotUnframeTheBody() throws Exception {
    startWithEcho();
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response reply = client.exchange("POST /api/a HTTP/1.1\r\nHost: h\r\n"
          + "Connection: keep-alive, close, Content-Length\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(reply.status()).isEqualTo(200);
      JsonObject seen = new JsonObject(reply.body());
      assertThat(seen.getString("body")).isEqualTo("hello");
      assertThat(seen.getString("content-length")).isEqualTo("5");
      assertThat(reply.header("connection")).isEqualTo("close");
      assertThat(client.atEndOfStream()).as("closed after the response (RFC 9112 §9.6)").isTrue();
    }
  }

  @Test
  void aHeadTheDecoderRejectsIsCountedAsABadRequest() throws Exception {
    startWithEcho();
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange("GET /api/a HTTP/1.1\r\nHost : h\r\n\r\n").status()).isEqualTo(400);
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(badRequests()).isEqualTo(1.0);
    assertThat(upstreamRequests).hasValue(0);
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413AndTheConnectionCloses() throws Exception {
    h.start(1, "server: { max_request_body: 16 }\n" + ProxyHarness.singleRoute(echoUpstream(), ""));
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response reply = client.exchange("POST /api/a HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n");
      assertThat(reply.status()).isEqualTo(413);
      assertThat(reply.header("connection")).isEqualTo("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(upstreamRequests).hasValue(0);
  }

  private void awaitFlagCount(String flag, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double count = 0;
    while (System.nanoTime() < deadline) {
      count = h.registry.find("sidecar_requests").tag("flag", flag).counters().stream()
          .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
      if (count >= expected) break;
      Thread.sleep(20);
    }
    assertThat(count).isEqualTo(expected);
  }
}
