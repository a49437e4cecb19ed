package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fresh cache hits answered on the byte-level path ({@link FastPathCacheHit}), through real sockets: the same
 * answer the full path gives, and everything a hit in memory cannot answer handed over as before.
 */
class FastPathCacheHitTest {
  private final ProxyHarness h = new ProxyHarness();
  private final AtomicInteger upstreamRequests = new AtomicInteger();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void start(String cacheSettings) {
    int port = h.upstream(req -> {
      upstreamRequests.incrementAndGet();
      req.response().putHeader("Cache-Control", "max-age=60").putHeader("ETag", "\"v1\"")
          .putHeader("Content-Type", "text/plain").end("body of " + req.path());
    });
    h.start(1, "server: { }\n" + ProxyHarness.singleRoute(port, "    timeout: 2s\n    cache: { enabled: true"
        + cacheSettings + " }\n"));
  }



  private static String get(String path, String... fields) {
    StringBuilder head = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: a\r\n");
    for (String field : fields) head.append(field).append("\r\n");
    return head.append("\r\n").toString();
  }

  /** The fields of a response but Age, which may tick between two answers. */
  private static Map<String, String> withoutAge(RawHttpClient.Response r) {
    Map<String, String> fields = new LinkedHashMap<>(r.headers());
    fields.remove("age");
    return fields;
  }

  @Test
  void aHitIsTheFullPathsHitOnTheByteLevelPath() throws IOException {
    start("");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      assertThat(client.exchange(get("/api/x")).header("x-cache")).isEqualTo("MISS");
      double handedOver = h.handovers();
      // a Keep-Alive field makes the byte-level path hand the request to Vert.x: the full path's hit
      RawHttpClient.Response full = client.exchange(get("/api/x", "Keep-Alive: timeout=5"));
      assertThat(h.handovers()).isEqualTo(handedOver + 1);
      double served = h.fastPathRequests();
      RawHttpClient.Response fast = client.exchange(get("/api/x"));
      assertThat(h.fastPathRequests()).isEqualTo(served + 1);
      assertThat(h.handovers()).isEqualTo(handedOver + 1);

      assertThat(full.header("x-cache")).isEqualTo("HIT");
      assertThat(fast.status()).isEqualTo(full.status()).isEqualTo(200);
      assertThat(withoutAge(fast)).isEqualTo(withoutAge(full)).containsEntry("etag", "\"v1\"")
          .containsEntry("x-cache-layer", "L1").containsEntry("content-length", "10");
      assertThat(fast.header("age")).matches("[0-9]+");
      assertThat(fast.body()).isEqualTo(full.body()).isEqualTo("body of /x");
    }
    assertThat(upstreamRequests.get()).isEqualTo(1);
  }

  @Test
  void headConditionalsAndPipelinedHitsAreAnsweredInOrder() throws IOException {
    start("");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.exchange(get("/api/x"));
      client.exchange(get("/api/y"));
      double served = h.fastPathRequests();
      client.write(get("/api/y") + "HEAD /api/x HTTP/1.1\r\nHost: a\r\n\r\n" + get("/api/x", "If-None-Match: \"v1\"") + get("/api/x"));
      assertThat(client.read().body()).isEqualTo("body of /y");
      RawHttpClient.Response head = client.readHeadOnly();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo("10");
      RawHttpClient.Response notModified = client.read();
      assertThat(notModified.status()).isEqualTo(304);
      assertThat(notModified.header("x-cache")).isEqualTo("HIT");
      assertThat(client.read().body()).isEqualTo("body of /x");
      assertThat(h.fastPathRequests()).isEqualTo(served + 4);
    }
    assertThat(upstreamRequests.get()).isEqualTo(2);
  }

  @Test
  void aHitForAClientThatClosesClosesTheConnectionAndReadsNothingBehindIt() throws IOException {
    start("");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.exchange(get("/api/x"));
      client.write(get("/api/x", "Connection: close") + get("/api/never"));
      RawHttpClient.Response last = client.read();
      assertThat(last.header("x-cache")).isEqualTo("HIT");
      assertThat(last.header("connection")).isEqualTo("close");
      assertThat(client.atEndOfStream()).isTrue();
    }
    assertThat(upstreamRequests.get()).isEqualTo(1);
  }

  @Test
  void aRouteWithResponseHeaderRulesHasItsHitsOnTheFullPathWhichAppliesThem() throws IOException {
    start(" }\n    response_headers: { set: { x-route: r }");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.exchange(get("/api/x"));
      double handedOver = h.handovers();
      RawHttpClient.Response hit = client.exchange(get("/api/x"));
      assertThat(hit.header("x-cache")).isEqualTo("HIT");
      assertThat(hit.header("x-route")).isEqualTo("r");
      assertThat(h.handovers()).isEqualTo(handedOver + 1);
    }
  }

  @Test
  void whatAHitInMemoryCannotAnswerGoesToTheFullPath() throws IOException {
    start(", bypass: { request_headers: [ x-no-cache ] }");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      client.exchange(get("/api/x"));
      double handedOver = h.handovers();
      assertThat(client.exchange(get("/api/x", "Cache-Control: no-cache")).header("x-cache"))
          .as("validation").isNotEqualTo("HIT");
      assertThat(upstreamRequests.get()).isEqualTo(2);
      assertThat(client.exchange(get("/api/x", "X-No-Cache: 1")).header("x-cache")).isEqualTo("BYPASS");
      assertThat(client.exchange("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").status()).isEqualTo(200);
      assertThat(h.handovers()).isEqualTo(handedOver + 3);
    }
  }
}
