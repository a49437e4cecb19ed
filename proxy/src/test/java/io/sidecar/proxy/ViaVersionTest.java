package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9110 §7.6.3: the Via entry a proxy appends names the protocol version of the message as it received it: the
 * client's version in the request's Via, the upstream's in the response's. Each case runs on the byte-level path
 * ({@code server.fast_path}) and on the full path (Vert.x's server and client), for HTTP/1.x and HTTP/2 clients,
 * and expects the same.
 */
@Timeout(60)
class ViaVersionTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void start(boolean fastPath, int upstreamPort) {
    h.start(1, "server: { fast_path: " + fastPath + " }\n" + ProxyHarness.singleRoute(upstreamPort, "    timeout: 2s\n"));
  }


  /** An HTTP/1.0 answer on a kept-alive connection (its Via: {@code via}, or none), then an HTTP/1.1 one on it. */
  private static FastPathTest.RawUpstream http10ThenHttp11(String via) throws java.io.IOException {
    String http10 = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" + (via == null ? "" : "Via: " + via + "\r\n")
        + "Content-Length: 3\r\n\r\nold";
    return new FastPathTest.RawUpstream(List.of(http10, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew"));
  }

  /**
   * An {@code HTTP/1.0 200} is "1.0 sidecar" to an HTTP/1.1 client; the next response on the same upstream
   * connection, an HTTP/1.1 one, is "1.1 sidecar" again.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void theResponsesViaNamesTheVersionTheUpstreamAnsweredInToAnHttp11Client(boolean fastPath) throws Exception {
    try (FastPathTest.RawUpstream upstream = http10ThenHttp11(null)) {
      start(fastPath, upstream.port());
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        RawHttpClient.Response old = client.exchange("GET /api/old HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(old.body()).isEqualTo("old");
        assertThat(old.header("via")).isEqualTo("1.0 sidecar");
        RawHttpClient.Response next = client.exchange("GET /api/new HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(next.body()).isEqualTo("new");
        assertThat(next.header("via")).isEqualTo("1.1 sidecar");
      }
      assertThat(upstream.connections()).as("both responses on one kept-alive connection").isEqualTo(1);
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0);
  }

  /** The same to an HTTP/2 client, after the upstream's own Via entry. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void theResponsesViaNamesTheVersionTheUpstreamAnsweredInToAnHttp2Client(boolean fastPath) throws Exception {
    try (FastPathTest.RawUpstream upstream = http10ThenHttp11("1.0 origin")) {
      start(fastPath, upstream.port());
      try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
        wire.headers(1, H2Wire.get("/api/old", h.proxyPort), true);
        Http2Headers old = wire.responseHeaders(1);
        assertThat(old.status().toString()).isEqualTo("200");
        assertThat(old.get("via").toString()).isEqualTo("1.0 origin, 1.0 sidecar");
        assertThat(wire.body(1)).isEqualTo("old");
        wire.headers(3, H2Wire.get("/api/new", h.proxyPort), true);
        assertThat(wire.responseHeaders(3).get("via").toString()).isEqualTo("1.1 sidecar");
        assertThat(wire.body(3)).isEqualTo("new");
      }
      assertThat(upstream.connections()).as("both responses on one kept-alive connection").isEqualTo(1);
    }
  }

  /** On a cached route the origin's HTTP/1.0 answer is stored with "1.0 sidecar", and a hit says so too. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aCachedHttp10AnswerKeepsItsVia(boolean fastPath) throws Exception {
    try (FastPathTest.RawUpstream origin = new FastPathTest.RawUpstream(List.of(
        "HTTP/1.0 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 3\r\n\r\nold"))) {
      h.start(1, "server: { fast_path: " + fastPath + " }\n" + """
          listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
          routes: [ { name: cached, cluster: app, cache: { enabled: true } } ]
          clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
          """.formatted(origin.port()));
      for (String cache : List.of("MISS", "HIT")) {
        try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
          RawHttpClient.Response reply = client.exchange("GET /c HTTP/1.1\r\nHost: a\r\n\r\n");
          assertThat(reply.body()).isEqualTo("old");
          assertThat(reply.header("x-cache")).isEqualTo(cache);
          assertThat(reply.header("via")).isEqualTo("1.0 sidecar");
        }
      }
    }
  }

  /**
   * The request's Via names the client's version: "1.0" for an HTTP/1.0 client (its request goes upstream as
   * HTTP/1.1), "1.1", and "2" for an HTTP/2 client (RFC 9110 §7.6.3 sends the version's digits; HTTP/2 has no
   * minor version, RFC 9113 §3), after what the client's Via held.
   */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void theRequestsViaNamesTheClientsVersion(boolean fastPath) throws Exception {
    int upstream = h.upstream(req -> req.response().end(req.version() + " " + req.getHeader("via")));
    start(fastPath, upstream);
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange("GET /api/a HTTP/1.0\r\nHost: a\r\nVia: 1.1 edge\r\n\r\n").body())
          .isEqualTo("HTTP_1_1 1.1 edge, 1.0 sidecar");
    }
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo("HTTP_1_1 1.1 sidecar");
    }
    try (H2Wire wire = H2Wire.connect(h.proxyPort)) {
      wire.headers(1, H2Wire.get("/api/a", h.proxyPort).add("via", "1.1 edge"), true);
      assertThat(wire.body(1)).isEqualTo("HTTP_1_1 1.1 edge, 2 sidecar");
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0); // the HTTP/1.x clients'
  }
}
