package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.proxy.FastPathTest.RawUpstream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A chunked upstream body whose own lines end in a bare LF (RFC 9112 §2.2 lets a recipient read them; nginx, HAProxy
 * and Envoy do) reaches the client whole on the full path and on cache routes too, not only on the byte-level path:
 * {@link ChunkedLineEnds} ends those lines with CRLF before Netty's decoder, which reads them only so, sees them.
 * Through real sockets, the upstream writing exact bytes.
 */
class BareLfChunkedBodyTest {
  private static final String FULL_PATH = "server: { fast_path: false }\n";
  private static final String CACHE = "    cache: { enabled: true, default_ttl: 60s }\n";
  /** Bare LFs after a size line with an extension, after data, after the last chunk, a trailer and the final line. */
  private static final String BARE_LF_BODY = "5;ext=1\nhello\n6\n world\n0\nX-Sum: 11\n\n";
  private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static RawHttpClient.Response get(RawHttpClient client, String path) throws Exception {
    return client.exchange("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
  }

  /**
   * Two such responses on one upstream connection, on the full path (with the byte-level path off, and handed to
   * Vert.x by the byte-level path, which leaves requests with a Keep-Alive field to it): each is whole, trailer
   * included, and the connection serves the second.
   */
  @ParameterizedTest(name = "handed over by the byte-level path: {0}")
  @ValueSource(booleans = {false, true})
  void aBareLfChunkedBodyReachesTheClientWholeOnTheFullPath(boolean handedOver) throws Exception {
    String answer = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nX-A: 1\n\n" + BARE_LF_BODY;
    try (RawUpstream upstream = new RawUpstream(List.of(answer, answer))) {
      h.start(1, (handedOver ? "" : FULL_PATH) + ProxyHarness.singleRoute(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 2; i++) {
          RawHttpClient.Response reply = client.exchange("GET /api/bare-lf HTTP/1.1\r\nHost: a\r\n"
              + (handedOver ? "Keep-Alive: timeout=5\r\n" : "") + "\r\n");
          assertThat(reply.status()).as("request %d", i).isEqualTo(200);
          assertThat(reply.header("x-sidecar-flags")).isNull();
          assertThat(reply.header("x-a")).isEqualTo("1");
          assertThat(reply.body()).isEqualTo("hello world");
          assertThat(reply.trailers()).containsEntry("x-sum", "11");
        }
      }
      assertThat(upstream.connections()).isEqualTo(1);
    }
    var byteLevel = h.registry.find("sidecar_fast_path_requests").counter();
    assertThat(byteLevel == null ? 0 : byteLevel.count()).as("requests served on the byte-level path").isZero();
  }

  /** On a cache route: the miss is fetched whole and stored whole; the hit is the same body, the upstream not asked. */
  @Test
  void aBareLfChunkedBodyIsCachedWhole() throws Exception {
    String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: max-age=60\r\n\r\n" + BARE_LF_BODY;
    try (RawUpstream upstream = new RawUpstream(List.of(answer, "<close>"))) {
      h.start(1, ProxyHarness.singleRoute(upstream.port(), CACHE));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 2; i++) {
          RawHttpClient.Response reply = get(client, "/api/cached");
          assertThat(reply.status()).as("request %d", i).isEqualTo(200);
          assertThat(reply.header("x-cache")).isEqualTo(i == 0 ? "MISS" : "HIT");
          assertThat(reply.body()).isEqualTo("hello world");
        }
      }
    }
  }

  /**
   * The same, the response cut into reads that end inside the head, inside a size line, between the CR and the LF
   * of a line, right before a bare LF, inside chunk data and inside the trailer section (each part 50 ms apart).
   */
  @ParameterizedTest(name = "cache route: {0}")
  @ValueSource(booleans = {false, true})
  void aBareLfChunkedBodyCutIntoManyReadsReachesTheClientWhole(boolean cache) throws Exception {
    String p = RawUpstream.PAUSE;
    String answer = "HTTP/1.1 200 OK\r\nTransfer-Enc" + p + "oding: chunked\r\nCache-Control: max-age=60\n\n"
        + "1" + p + "0\n" + "abcdefgh" + p + "ijklmnop" + p + "\r" + p + "\n"
        + "3;e=" + p + "v" + p + "\nxyz" + p + "\n" + "2\r" + p + "\n!?\n0\n" + "X-T" + p + ": v\n" + p + "\n";
    try (RawUpstream upstream = new RawUpstream(List.of(answer, answer))) {
      h.start(1, FULL_PATH + ProxyHarness.singleRoute(upstream.port(), cache ? CACHE : ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 2; i++) {
          RawHttpClient.Response reply = get(client, "/api/split");
          assertThat(reply.status()).as("request %d", i).isEqualTo(200);
          assertThat(reply.body()).isEqualTo("abcdefghijklmnopxyz!?");
          if (cache) assertThat(reply.header("x-cache")).isEqualTo(i == 0 ? "MISS" : "HIT");
        }
      }
    }
  }

  /**
   * A response to HEAD says chunked but has no body (RFC 9112 §6.3): the next response on that upstream connection is
   * read as a response, its bare-LF chunked body rewritten, not taken for the HEAD response's chunks.
   */
  @Test
  void aChunkedResponseToHeadIsFollowedByTheNextResponse() throws Exception {
    try (RawUpstream upstream = new RawUpstream(List.of(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: head\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: get\r\n\r\n" + BARE_LF_BODY))) {
      h.start(1, FULL_PATH + ProxyHarness.singleRoute(upstream.port(), ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        client.write("HEAD /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
        RawHttpClient.Response head = client.readHeadOnly();
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("x-a")).isEqualTo("head");
        RawHttpClient.Response next = get(client, "/api/y");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.header("x-a")).isEqualTo("get");
        assertThat(next.body()).isEqualTo("hello world");
      }
      assertThat(upstream.connections()).isEqualTo(1);
    }
  }

  /** Interim responses (100, and 103 with bare-LF lines) come before the final head, whose body follows. */
  @ParameterizedTest(name = "cache route: {0}")
  @ValueSource(booleans = {false, true})
  void interimResponsesBeforeABareLfChunkedBody(boolean cache) throws Exception {
    String answer = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\nLink: </a.css>; rel=preload\n\n"
        + "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nCache-Control: max-age=60\n\n" + BARE_LF_BODY;
    try (RawUpstream upstream = new RawUpstream(List.of(answer, answer))) {
      h.start(1, FULL_PATH + ProxyHarness.singleRoute(upstream.port(), cache ? CACHE : ""));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        for (int i = 0; i < 2; i++) {
          client.write("GET /api/hinted HTTP/1.1\r\nHost: a\r\n\r\n");
          RawHttpClient.Response reply = client.readFinal();
          assertThat(reply.status()).as("request %d", i).isEqualTo(200);
          assertThat(reply.body()).isEqualTo("hello world");
        }
      }
    }
  }

  /**
   * A body malformed otherwise is still refused as Netty's decoder refused it: 502 UPE when nothing of it went out,
   * on the full path and on a cache route, and nothing is stored.
   */
  @ParameterizedTest(name = "cache route: {0}")
  @ValueSource(booleans = {false, true})
  void aBareLfChunkedBodyMalformedOtherwiseIs502Upe(boolean cache) throws Exception {
    String malformed = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nCache-Control: max-age=60\n\nzz\nok\n0\n\n";
    try (RawUpstream upstream = new RawUpstream(List.of(malformed, malformed, CHUNKED_HEAD + BARE_LF_BODY))) {
      h.start(1, FULL_PATH + ProxyHarness.singleRoute(upstream.port(), cache ? CACHE : ""));
      for (int i = 0; i < 2; i++) {
        try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
          RawHttpClient.Response reply = get(client, "/api/malformed");
          assertThat(reply.status()).as("request %d", i).isEqualTo(502);
          assertThat(reply.header("x-sidecar-flags")).isEqualTo("UPE");
        }
      }
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(get(client, "/api/malformed").body()).isEqualTo("hello world");
      }
    }
  }
}
