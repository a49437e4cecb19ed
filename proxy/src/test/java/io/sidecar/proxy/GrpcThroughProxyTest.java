package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC's wire shape through the sidecar, on real sockets, without a gRPC library: an h2c client sends
 * {@code content-type: application/grpc}, {@code te: trailers} and length-prefixed messages with no Content-Length
 * (as every gRPC client does); an h2c upstream answers with length-prefixed messages and the call's status in
 * trailers ({@code grpc-status}, {@code grpc-message}, custom trailing metadata), or with a trailers-only response.
 */
class GrpcThroughProxyTest {
  private final ProxyHarness h = new ProxyHarness();
  private final HttpClient h2c = h.vertx.createHttpClient(new HttpClientOptions()
      .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  /** What the upstream saw of each call, by path. */
  private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();

  record Seen(MultiMap headers, List<String> messages) {}

  /** What the client got back. */
  record Answer(int status, MultiMap headers, List<String> messages, MultiMap trailers) {}

  @BeforeEach
  void startUpstreamAndProxy() {
    int upstream = await(h.vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(this::serve).listen(0, "127.0.0.1")).actualPort();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: grpc, match: { path_prefix: / }, cluster: svc } ]
        clusters: [ { name: svc, protocol: h2c, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** A tiny gRPC service: Unary echoes, ServerStream sends 100 messages, ClientStream counts, Fail is trailers-only. */
  private void serve(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      List<String> in = frames(body);
      seen.put(req.path(), new Seen(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), in));
      var resp = req.response();
      if (!"application/grpc".equals(req.getHeader("content-type")) || req.version() != HttpVersion.HTTP_2) {
        resp.setStatusCode(415).end();
        return;
      }
      resp.putHeader("content-type", "application/grpc");
      switch (req.path()) {
        case "/t.T/Unary" -> {
          resp.write(frame("hi " + in.get(0)));
          resp.trailers().add("grpc-status", "0").add("x-trailer-md", "unary-done");
          resp.end();
        }
        case "/t.T/ServerStream" -> {
          for (int i = 0; i < 100; i++) resp.write(frame("m" + i));
          resp.trailers().add("grpc-status", "0").add("x-trailer-md", "stream-done");
          resp.end();
        }
        case "/t.T/ClientStream" -> {
          resp.write(frame("count=" + in.size()));
          resp.trailers().add("grpc-status", "0");
          resp.end();
        }
        case "/t.T/Fail" -> resp.putHeader("grpc-status", "9").putHeader("grpc-message", "precondition%20failed")
            .putHeader("x-error-md", "why").end();
        default -> {
          resp.trailers().add("grpc-status", "12");
          resp.end();
        }
      }
    });
  }

  static Buffer frame(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) 0).appendInt(bytes.length).appendBytes(bytes);
  }

  static List<String> frames(Buffer body) {
    List<String> out = new ArrayList<>();
    int at = 0;
    while (at + 5 <= body.length()) {
      int length = body.getInt(at + 1);
      out.add(body.getString(at + 5, at + 5 + length, "UTF-8"));
      at += 5 + length;
    }
    assertThat(at).as("body ends on a message boundary").isEqualTo(body.length());
    return out;
  }

  /** One call through the proxy: the messages go as separate DATA frames, without Content-Length. */
  private Answer call(String path, String... messages) {
    return await(h.onClientContext(() -> h2c.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(h.proxyPort).setURI(path)
            .putHeader("content-type", "application/grpc").putHeader("te", "trailers")
            .putHeader("grpc-timeout", "10S"))
        .compose(req -> {
          req.setChunked(true); // Vert.x's way to send an HTTP/2 body without Content-Length
          Future<Void> head = req.sendHead();
          for (String m : messages) req.write(frame(m));
          req.end();
          return head.compose(v -> req.response());
        })
        .compose(resp -> resp.body().map(body -> new Answer(resp.statusCode(), resp.headers(), frames(body),
            resp.trailers())))));
  }

  @Test
  void unaryAndServerStreamKeepTheirMessagesAndTrailers() {
    Answer unary = call("/t.T/Unary", "x");
    assertThat(unary.status()).isEqualTo(200);
    assertThat(unary.headers().get("content-type")).isEqualTo("application/grpc");
    assertThat(unary.messages()).containsExactly("hi x");
    assertThat(unary.trailers().get("grpc-status")).isEqualTo("0");
    assertThat(unary.trailers().get("x-trailer-md")).isEqualTo("unary-done");

    Answer stream = call("/t.T/ServerStream", "go");
    assertThat(stream.messages()).hasSize(100).startsWith("m0").endsWith("m99");
    assertThat(stream.trailers().get("grpc-status")).isEqualTo("0");
    assertThat(stream.trailers().get("x-trailer-md")).isEqualTo("stream-done");
  }

  @Test
  void aRequestBodyWithoutContentLengthStreamsToAnH2cUpstream() {
    Answer answer = call("/t.T/ClientStream", "a", "b", "c", "d");
    assertThat(answer.messages()).containsExactly("count=4");
    assertThat(seen.get("/t.T/ClientStream").messages()).containsExactly("a", "b", "c", "d");
    assertThat(answer.trailers().get("grpc-status")).isEqualTo("0");
  }

  @Test
  void teTrailersReachesTheUpstreamAndOtherTeValuesDoNot() {
    call("/t.T/Unary", "x");
    MultiMap upstreamSaw = seen.get("/t.T/Unary").headers();
    assertThat(upstreamSaw.getAll("te")).containsExactly("trailers");
    assertThat(upstreamSaw.get("grpc-timeout")).isEqualTo("10S");

    MultiMap target = MultiMap.caseInsensitiveMultiMap();
    UpstreamRequests.forwardTeTrailers(MultiMap.caseInsensitiveMultiMap().add("te", "gzip, trailers;q=1"),
        HttpVersion.HTTP_2, target);
    assertThat(target.getAll("te")).containsExactly("trailers");
    target.clear();
    UpstreamRequests.forwardTeTrailers(MultiMap.caseInsensitiveMultiMap().add("te", "gzip"), HttpVersion.HTTP_2, target);
    assertThat(target.contains("te")).isFalse();
    UpstreamRequests.forwardTeTrailers(MultiMap.caseInsensitiveMultiMap().add("te", "trailers"), HttpVersion.HTTP_1_1,
        target);
    assertThat(target.contains("te")).isFalse();
  }

  @Test
  void theSidecarsOwnAnswerToAGrpcCallIsAGrpcStatusWithItsReason() {
    h.start(2, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: grpc, match: { path_prefix: / }, cluster: gone } ]
        clusters: [ { name: gone, protocol: h2c, endpoints: [ "127.0.0.1:%d" ], pool: { connect_timeout: 500ms } } ]
        """.formatted(ProxyHarness.freePort()));
    Answer refused = call("/t.T/Unary", "x");
    assertThat(refused.status()).isEqualTo(200);
    assertThat(refused.headers().get("content-type")).isEqualTo("application/grpc");
    assertThat(refused.headers().get("grpc-status")).isEqualTo("14"); // UNAVAILABLE, for the 503 UF
    assertThat(refused.headers().get("grpc-message")).startsWith("upstream connect failure");
    assertThat(refused.headers().get("x-sidecar-flags")).isEqualTo("UF");
    assertThat(refused.messages()).isEmpty();
  }

  @Test
  void aTrailersOnlyErrorReachesTheClientAsItWasSent() {
    Answer fail = call("/t.T/Fail", "x");
    assertThat(fail.status()).isEqualTo(200);
    assertThat(fail.messages()).isEmpty();
    assertThat(fail.headers().get("grpc-status")).isEqualTo("9");
    assertThat(fail.headers().get("grpc-message")).isEqualTo("precondition%20failed");
    assertThat(fail.headers().get("x-error-md")).isEqualTo("why");
  }

  @Test
  void http2CallsThatCompleteAreCountedAsTheirStatusNotAsDisconnects() throws Exception {
    call("/t.T/Unary", "x");
    call("/t.T/ServerStream", "go");
    call("/t.T/Fail", "x");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    double ok = 0;
    while (System.nanoTime() < deadline) {
      var c = h.registry.find("sidecar_requests").tag("flag", "-").tag("status_class", "2xx").counter();
      ok = c == null ? 0 : c.count();
      if (ok >= 3) break;
      Thread.sleep(20);
    }
    assertThat(ok).isEqualTo(3.0);
    assertThat(h.registry.find("sidecar_requests").tag("flag", "DC").counters()).isEmpty();
  }
}
