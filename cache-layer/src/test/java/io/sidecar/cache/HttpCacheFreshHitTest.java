package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpCache#freshHitInMemory}: the answer {@code handle} gives for a fresh L1 hit, at once; null, with
 * nothing counted, for everything that needs {@code handle} (virtual clock, entries filled through real sockets).
 */
@org.junit.jupiter.api.Timeout(60)
class HttpCacheFreshHitTest {
  private CacheHarness h;
  private String authority;

  @BeforeEach
  void start() {
    h = new CacheHarness(CacheConfig.builder().l1MaxBytes(16 * 1024 * 1024).build());
    authority = "127.0.0.1:" + h.frontPort();
    h.on("/a", r -> r.response().putHeader("Cache-Control", "max-age=60").putHeader("ETag", "\"v1\"")
        .putHeader("X-Origin", "o").end("hello"));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private CacheResponse hit(String method, String path, MultiMap out, String... headers) {
    MultiMap request = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) request.add(headers[i], headers[i + 1]);
    return h.cache.freshHitInMemory(new CacheRequest(method, "http", authority, path, request),
        CachePolicy.defaults("test"), out);
  }

  private long hitsL1() {
    return h.cache.counters().route("test").hitsL1.sum();
  }

  @Test
  void aFreshEntryIsAnsweredAsHandleAnswersIt() {
    assertThat(h.get("/a").headers().firstValue("x-cache")).contains("MISS");
    h.clock.advance(Duration.ofSeconds(7));
    var viaHandle = h.get("/a");
    assertThat(viaHandle.headers().firstValue("x-cache")).contains("HIT");

    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    CacheResponse answer = hit("GET", "/a", out);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers()).isSameAs(out);
    assertThat(answer.body().toString()).isEqualTo("hello");
    assertThat(out.get("Age")).isEqualTo("7");
    assertThat(out.get("X-Cache")).isEqualTo("HIT");
    assertThat(out.get("X-Cache-Layer")).isEqualTo("L1");
    assertThat(out.get("Content-Length")).isEqualTo("5");
    for (String name : new String[] {"ETag", "Cache-Control", "X-Origin", "Age", "Content-Length"}) {
      assertThat(out.get(name)).as(name).isEqualTo(viaHandle.headers().firstValue(name).orElse(null));
    }
    assertThat(hitsL1()).isEqualTo(2);
    assertThat(h.originHits("/a")).isEqualTo(1);
  }

  @Test
  void conditionalsAndHeadAreAnsweredToo() {
    h.get("/a");
    CacheResponse notModified = hit("GET", "/a", MultiMap.caseInsensitiveMultiMap(), "If-None-Match", "\"v1\"");
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.body()).isNull();
    CacheResponse head = hit("HEAD", "/a", MultiMap.caseInsensitiveMultiMap());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isNull();
    assertThat(head.headers().get("Content-Length")).isEqualTo("5");
  }

  @Test
  void whatNeedsHandleGetsNullAndCountsNothing() {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    assertThat(hit("GET", "/a", out)).as("not stored yet").isNull();
    h.get("/a");
    long hits = hitsL1();
    assertThat(hit("POST", "/a", out)).isNull();
    assertThat(hit("GET", "/a", out, "Cache-Control", "no-cache")).as("asks for validation").isNull();
    assertThat(hit("GET", "/a", out, "If-Match", "\"v1\"")).as("a precondition the cache leaves to the origin")
        .isNull();
    assertThat(hit("GET", "/other", out)).isNull();
    h.clock.advance(Duration.ofSeconds(61));
    assertThat(hit("GET", "/a", out)).as("stale").isNull();
    assertThat(out.isEmpty()).isTrue();
    assertThat(hitsL1()).isEqualTo(hits);
    assertThat(h.cache.counters().route("test").misses.sum()).isEqualTo(1);
  }
}
