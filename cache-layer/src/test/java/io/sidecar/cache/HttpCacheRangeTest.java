package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.cache.semantics.HttpDates;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Range requests (RFC 9110 §14, If-Range §13.1.5) answered from a stored complete 200, end to end. */
@org.junit.jupiter.api.Timeout(60)
class HttpCacheRangeTest {

  private static final String BODY = "0123456789abcdefghijklmnopqrstuvwxyz"; // 36 bytes

  private CacheHarness h;
  private String lastModified;

  @BeforeEach
  void start() {
    h = new CacheHarness(CacheConfig.builder().l1MaxBytes(16 * 1024 * 1024).build());
    lastModified = HttpDates.format(h.clock.millis() - 3_600_000);
    h.on("/v", r -> r.response().putHeader("Cache-Control", "max-age=60").putHeader("ETag", "\"v1\"")
        .putHeader("Last-Modified", lastModified).putHeader("Content-Type", "video/mp4").end(BODY));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private void fill() {
    HttpResponse<String> full = h.get("/v");
    assertThat(full.statusCode()).isEqualTo(200);
    assertThat(header(full, "x-cache")).isEqualTo("MISS");
  }

  private void assertPartial(HttpResponse<String> r, int first, int last) {
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(header(r, "Content-Range")).isEqualTo("bytes " + first + "-" + last + "/36");
    assertThat(header(r, "Content-Length")).isEqualTo(Integer.toString(last - first + 1));
    assertThat(r.body()).isEqualTo(BODY.substring(first, last + 1));
  }

  private void assertFull(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "Content-Range")).isNull();
    assertThat(header(r, "Content-Length")).isEqualTo("36");
    assertThat(r.body()).isEqualTo(BODY);
  }

  @Test
  void aRangeOfAStoredResponseIs206FromTheCacheWithoutTheOrigin() {
    fill();
    h.clock.advance(Duration.ofSeconds(5));
    HttpResponse<String> r = h.get("/v", "Range", "bytes=0-9");
    assertPartial(r, 0, 9);
    assertThat(header(r, "x-cache")).isEqualTo("HIT");
    assertThat(header(r, "x-cache-layer")).isEqualTo("L1");
    assertThat(header(r, "Age")).isEqualTo("5");
    assertThat(header(r, "ETag")).isEqualTo("\"v1\"");
    assertThat(header(r, "Last-Modified")).isEqualTo(lastModified);
    assertThat(header(r, "Cache-Control")).isEqualTo("max-age=60");
    assertThat(header(r, "Content-Type")).isEqualTo("video/mp4");
    assertPartial(h.get("/v", "Range", "bytes=30-"), 30, 35);
    assertPartial(h.get("/v", "Range", "bytes=-4"), 32, 35);
    assertPartial(h.get("/v", "Range", "bytes=20-1000"), 20, 35); // last-pos clamped
    assertPartial(h.get("/v", "Range", "bytes=0-"), 0, 35);
    assertThat(h.originHits("/v")).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> routes = (Map<String, Map<String, Object>>) h.cache.stats().get("routes");
    assertThat(routes.get("test").get("hits_l1")).isEqualTo(5L);
    assertThat(routes.get("test").get("bytes_from_cache")).isEqualTo(10L + 6 + 4 + 16 + 36);
  }

  @Test
  void noSatisfiableRangeIs416WithTheLength() {
    fill();
    for (String range : new String[] {"bytes=36-", "bytes=100-200", "bytes=-0"}) {
      HttpResponse<String> r = h.get("/v", "Range", range);
      assertThat(r.statusCode()).as(range).isEqualTo(416);
      assertThat(header(r, "Content-Range")).isEqualTo("bytes */36");
      assertThat(header(r, "Content-Length")).isEqualTo("0");
      assertThat(header(r, "x-cache")).isEqualTo("HIT");
      assertThat(r.body()).isEmpty();
    }
    assertThat(h.originHits("/v")).isEqualTo(1);
  }

  @Test
  void severalRangesGetTheFull200() {
    fill();
    HttpResponse<String> r = h.get("/v", "Range", "bytes=0-1, 5-6");
    assertFull(r);
    assertThat(header(r, "x-cache")).isEqualTo("HIT");
    assertThat(h.originHits("/v")).isEqualTo(1);
  }

  @Test
  void anInvalidRangeOrAnotherUnitIsIgnored() {
    fill();
    for (String range : new String[] {"bytes=9-2", "bytes=x-y", "items=0-9", "bytes 0-9"}) {
      HttpResponse<String> r = h.get("/v", "Range", range);
      assertFull(r);
      assertThat(header(r, "x-cache")).as(range).isEqualTo("HIT");
    }
    assertThat(h.originHits("/v")).isEqualTo(1);
  }

  @Test
  void ifRangeAppliesTheRangeOnlyWhenTheStrongValidatorMatches() {
    fill();
    assertPartial(h.get("/v", "Range", "bytes=0-3", "If-Range", "\"v1\""), 0, 3);
    assertPartial(h.get("/v", "Range", "bytes=0-3", "If-Range", lastModified), 0, 3);
    assertFull(h.get("/v", "Range", "bytes=0-3", "If-Range", "\"v0\""));
    assertFull(h.get("/v", "Range", "bytes=0-3", "If-Range", "W/\"v1\""));
    assertFull(h.get("/v", "Range", "bytes=0-3", "If-Range", HttpDates.format(h.clock.millis())));
    // a failed If-Range also ignores an unsatisfiable range
    assertFull(h.get("/v", "Range", "bytes=100-", "If-Range", "\"v0\""));
    assertThat(h.originHits("/v")).isEqualTo(1);
  }

  /** An origin that honours Range on /m (4 bytes "abcd"), with the given extra response field. */
  private void rangeOrigin(String cacheControl) {
    h.on("/m", r -> {
      String range = r.getHeader("Range");
      if (range != null) {
        int first = Integer.parseInt(range.substring(6, range.indexOf('-')));
        r.response().setStatusCode(206).putHeader("Cache-Control", cacheControl)
            .putHeader("Content-Range", "bytes " + first + "-3/4").end("abcd".substring(first));
      } else {
        r.response().putHeader("Cache-Control", cacheControl).end("abcd");
      }
    });
  }

  private long bytesStored() {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> routes = (Map<String, Map<String, Object>>) h.cache.stats().get("routes");
    Map<String, Object> route = routes.get("test");
    return route == null ? 0 : (Long) route.get("bytes_stored");
  }

  private void awaitStored(long bytes) throws InterruptedException {
    for (int i = 0; i < 200 && bytesStored() < bytes; i++) {
      Thread.sleep(10);
    }
    assertThat(bytesStored()).isEqualTo(bytes);
  }

  @Test
  void aRangeMissIsForwardedAndTheCompleteResponseFilledInTheBackground() throws Exception {
    rangeOrigin("max-age=60");
    HttpResponse<String> miss = h.get("/m", "Range", "bytes=0-", "If-Range", "\"x\"");
    assertThat(miss.statusCode()).isEqualTo(206);
    assertThat(miss.body()).isEqualTo("abcd");
    assertThat(header(miss, "x-cache")).isEqualTo("MISS");
    assertThat(h.originRequestHeaders.get(0).get("Range")).isEqualTo("bytes=0-");
    assertThat(h.originRequestHeaders.get(0).get("If-Range")).isEqualTo("\"x\"");
    awaitStored(4); // the complete length (4) is within max_object_size: fetched whole, without Range
    assertThat(h.originRequestHeaders.get(1).contains("Range")).isFalse();
    assertThat(h.originRequestHeaders.get(1).contains("If-Range")).isFalse();
    HttpResponse<String> range = h.get("/m", "Range", "bytes=2-3");
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).isEqualTo("cd");
    assertThat(header(range, "x-cache")).isEqualTo("HIT");
    HttpResponse<String> full = h.get("/m");
    assertThat(full.body()).isEqualTo("abcd");
    assertThat(header(full, "x-cache")).isEqualTo("HIT");
    assertThat(h.originHits("/m")).isEqualTo(2);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> routes = (Map<String, Map<String, Object>>) h.cache.stats().get("routes");
    assertThat(routes.get("test").get("misses")).isEqualTo(1L); // the background fill is not a second miss
  }

  @Test
  void aRangeMissBeyondMaxObjectSizeIsOnlyForwarded() throws Exception {
    h.policy = r -> CachePolicy.builder("test").maxObjectSize(3).build();
    rangeOrigin("max-age=60");
    HttpResponse<String> miss = h.get("/m", "Range", "bytes=1-");
    assertThat(miss.statusCode()).isEqualTo(206);
    assertThat(miss.body()).isEqualTo("bcd");
    Thread.sleep(200);
    assertThat(h.originHits("/m")).isEqualTo(1); // no whole-object fetch
    assertThat(header(h.get("/m", "Range", "bytes=1-"), "x-cache")).isEqualTo("MISS");
    assertThat(h.originHits("/m")).isEqualTo(2);
    assertThat(bytesStored()).isZero();
  }

  @Test
  void aRangeMissOfANotStorableResponseIsOnlyForwarded() throws Exception {
    rangeOrigin("no-store");
    assertThat(h.get("/m", "Range", "bytes=0-").statusCode()).isEqualTo(206);
    Thread.sleep(200);
    assertThat(h.originHits("/m")).isEqualTo(1);
  }

  @Test
  void aRangeMissAnswered200ByTheOriginIsStored() {
    h.on("/w", r -> r.response().putHeader("Cache-Control", "max-age=60").end("whole")); // ignores Range
    HttpResponse<String> miss = h.get("/w", "Range", "bytes=0-1");
    assertThat(miss.statusCode()).isEqualTo(200);
    assertThat(miss.body()).isEqualTo("whole");
    assertThat(header(miss, "x-cache")).isEqualTo("MISS");
    HttpResponse<String> hit = h.get("/w", "Range", "bytes=0-1");
    assertThat(hit.statusCode()).isEqualTo(206);
    assertThat(hit.body()).isEqualTo("wh");
    assertThat(header(hit, "x-cache")).isEqualTo("HIT");
    assertThat(h.originHits("/w")).isEqualTo(1);
  }

  @Test
  void aRangeMissWaitsForAFillInFlightAndIsAnsweredFromIt() throws Exception {
    h.on("/slow", r -> h.vertx.setTimer(300, t -> r.response().putHeader("Cache-Control", "max-age=60")
        .end(BODY)));
    var full = h.client().sendAsync(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + h.frontPort() + "/slow")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (int i = 0; i < 100 && h.originHits("/slow") == 0; i++) {
      Thread.sleep(5);
    }
    HttpResponse<String> range = h.get("/slow", "Range", "bytes=5-9");
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).isEqualTo("56789");
    assertThat(header(range, "x-cache")).isEqualTo("HIT");
    assertThat(full.get().body()).isEqualTo(BODY);
    assertThat(h.originHits("/slow")).isEqualTo(1);
  }

  @Test
  void aStaleRangeIsRevalidatedWithoutRangeAndAnsweredFromTheStore() {
    fill();
    h.clock.advance(Duration.ofSeconds(61));
    h.on("/v", r -> {
      if ("\"v1\"".equals(r.getHeader("If-None-Match"))) {
        r.response().setStatusCode(304).putHeader("ETag", "\"v1\"").putHeader("Cache-Control", "max-age=60").end();
      } else {
        r.response().setStatusCode(500).end();
      }
    });
    HttpResponse<String> r = h.get("/v", "Range", "bytes=10-19");
    assertPartial(r, 10, 19);
    assertThat(header(r, "x-cache")).isEqualTo("REVALIDATED");
    assertThat(h.originRequestHeaders.get(1).contains("Range")).isFalse();
    assertThat(h.originHits("/v")).isEqualTo(2);
  }

  @Test
  void headAndClientConditionalsTakePrecedenceOverRange() {
    fill();
    HttpResponse<String> head = h.send("HEAD", "/v", "Range", "bytes=0-9");
    assertThat(head.statusCode()).isEqualTo(200); // range handling is defined for GET only (§14.2)
    assertThat(header(head, "Content-Length")).isEqualTo("36");
    assertThat(h.get("/v", "Range", "bytes=0-9", "If-None-Match", "\"v1\"").statusCode()).isEqualTo(304);
    assertThat(h.originHits("/v")).isEqualTo(1);
  }

  @Test
  void ifMatchStillBypasses() {
    fill();
    HttpResponse<String> r = h.get("/v", "Range", "bytes=0-9", "If-Match", "\"v1\"");
    assertThat(header(r, "x-cache")).isEqualTo("BYPASS");
    assertThat(h.originHits("/v")).isEqualTo(2);
  }
}
