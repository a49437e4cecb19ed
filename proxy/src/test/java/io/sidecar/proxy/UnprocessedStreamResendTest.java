package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 upstream that says it did not process a stream (RST_STREAM REFUSED_STREAM, or a GOAWAY whose last stream
 * id is below the stream's; RFC 9113 §8.7) gets the request again, whatever its method, without a retry policy, as
 * long as its body can be sent again ({@link UpstreamResend}); a stream the GOAWAY says was processed is not.
 */
class UnprocessedStreamResendTest {
  private static final long CANCEL = 0x8;
  private final ProxyHarness h = new ProxyHarness();
  /** Requests the upstream has seen, counted from 1. */
  private final AtomicInteger seen = new AtomicInteger();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** An h2c upstream calling {@code handler} with the request's number; routes / and /cached/ (a cache route) to it. */
  private void h2cUpstream(String routeExtras, BiConsumer<Integer, HttpServerRequest> handler) {
    int port = ProxyHarness.await(h.vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(req -> req.body().onSuccess(body -> handler.accept(seen.incrementAndGet(), req)))
        .listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - { name: cached, match: { path_prefix: /cached/ }, cluster: app, cache: { enabled: true, default_ttl: 60s } }
          - { name: r, cluster: app%s }
        clusters: [ { name: app, protocol: h2c, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(routeExtras, port));
  }

  private static void answer(int n, HttpServerRequest req) {
    req.response().putHeader("cache-control", "max-age=60").end(req.method() + " answered as request " + n);
  }

  private double resends() {
    var counter = h.registry.find("sidecar_upstream_resends").tag("cluster", "app").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aRefusedStreamIsSentAgainWhateverTheMethod() {
    h2cUpstream("", (n, req) -> {
      if (n % 2 == 1) req.response().reset(UpstreamResend.REFUSED_STREAM);
      else answer(n, req);
    });
    assertThat(h.send(HttpMethod.GET, "/", null, null).body()).isEqualTo("GET answered as request 2");
    ProxyHarness.Reply post = h.send(HttpMethod.POST, "/", MultiMap.caseInsensitiveMultiMap().add("content-length", "0"),
        null);
    assertThat(post.status()).isEqualTo(200);
    assertThat(post.body()).isEqualTo("POST answered as request 4");
    assertThat(h.send(HttpMethod.GET, "/cached/a", null, null).body()).isEqualTo("GET answered as request 6");
    assertThat(resends()).isEqualTo(3.0);
  }

  @Test
  void aGoAwayBelowTheStreamSendsItAgainOnAnotherConnection() {
    h2cUpstream("", (n, req) -> {
      // the server is going away and has not processed this stream: GOAWAY with the stream before it as the last
      if (n == 1) req.connection().goAway(0, Math.max(0, req.streamId() - 2));
      else answer(n, req);
    });
    ProxyHarness.Reply reply = h.send(HttpMethod.DELETE, "/", null, null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("DELETE answered as request 2");
    assertThat(resends()).isEqualTo(1.0);
  }

  @Test
  void aStreamTheGoAwaySaysWasProcessedIsNotSentAgain() {
    h2cUpstream("", (n, req) -> {
      req.connection().goAway(0, req.streamId());
      req.response().reset(CANCEL); // processed (may have acted on it), then gave up
    });
    ProxyHarness.Reply reply = h.send(HttpMethod.POST, "/", MultiMap.caseInsensitiveMultiMap().add("content-length", "0"),
        null);
    assertThat(reply.status()).isEqualTo(502);
    assertThat(seen.get()).isEqualTo(1);
    assertThat(resends()).isZero();
  }

  @Test
  void aStreamedBodyIsNotSentAgainButOneHeldForARetryPolicyIs() {
    h2cUpstream("", (n, req) -> {
      if (n == 1) req.response().reset(UpstreamResend.REFUSED_STREAM);
      else answer(n, req);
    });
    ProxyHarness.Reply streamed = h.send(HttpMethod.POST, "/", null, "a body");
    assertThat(streamed.status()).isEqualTo(502);
    assertThat(streamed.headers().get("x-sidecar-flags")).isEqualTo("UR");
    assertThat(seen.get()).isEqualTo(1);

    seen.set(0);
    // a retry policy holds bodies to replay them (max_buffered_body), even one that would not retry this failure
    h2cUpstream(", retry: { on: [5xx], attempts: 1 }", (n, req) -> {
      if (n == 1) req.response().reset(UpstreamResend.REFUSED_STREAM);
      else answer(n, req);
    });
    ProxyHarness.Reply held = h.send(HttpMethod.POST, "/", null, "a body");
    assertThat(held.body()).isEqualTo("POST answered as request 2");
  }

  @Test
  void anUpstreamThatRefusesEveryStreamIsTriedFourTimesInAll() {
    h2cUpstream("", (n, req) -> req.response().reset(UpstreamResend.REFUSED_STREAM));
    ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/", null, null);
    assertThat(reply.status()).isEqualTo(502);
    assertThat(seen.get()).isEqualTo(1 + UpstreamResend.MAX_RESENDS);
  }
}
