package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** L2 on real Redis: sharing between instances, cross-instance purges, and Redis dying under load. */
@org.junit.jupiter.api.Timeout(90)
class L2RedisTest {

  private static String xcache(HttpResponse<String> r) {
    return r.headers().firstValue("x-cache").orElse("?") + "/" + r.headers().firstValue("x-cache-layer").orElse("?");
  }

  private static CacheConfig config(String uri, String prefix, String instance) {
    return CacheConfig.builder().l2RedisUri(uri).l2KeyPrefix(prefix).instanceId(instance)
        .l2Timeout(Duration.ofMillis(200)).l2BreakerOpen(Duration.ofMillis(300)).l1MaxBytes(8 * 1024 * 1024)
        .build();
  }

  @Test
  void twoInstancesShareL2AndSeeEachOthersPurges() throws Exception {
    String prefix = RedisSupport.uniquePrefix("share");
    MutableClock clock = MutableClock.startingNow();
    Vertx vertx = CacheHarness.onProductionTransport();
    try (CacheHarness a = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "a"), clock);
        CacheHarness b = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "b"), clock)) {
      AtomicInteger served = new AtomicInteger();
      for (CacheHarness h : List.of(a, b)) {
        h.on("/shared", r -> r.response().putHeader("Cache-Control", "max-age=600")
            .putHeader("Cache-Tag", "t1").putHeader("Vary", "Accept").end("v" + served.incrementAndGet()));
        h.on("/other", r -> r.response().putHeader("Cache-Control", "max-age=600").end("o"));
        // both fronts must build the same key: they cache the same upstream authority
      }
      a.authority = "svc.test";
      b.authority = "svc.test";
      a.policy = r -> CachePolicy.defaults("shared");
      b.policy = r -> CachePolicy.defaults("shared");
      HttpResponse<String> fill = a.get("/shared", "Accept", "text/plain");
      assertThat(xcache(fill)).isEqualTo("MISS/ORIGIN");
      assertThat(fill.body()).isEqualTo("v1");
      HttpResponse<String> fromL2 = awaitNot(b, "/shared", "MISS/ORIGIN", "Accept", "text/plain");
      assertThat(xcache(fromL2)).isEqualTo("HIT/L2");
      assertThat(fromL2.body()).isEqualTo("v1");
      assertThat(xcache(b.get("/shared", "Accept", "text/plain"))).isEqualTo("HIT/L1");
      // another Accept value is another variant
      assertThat(xcache(b.get("/shared", "Accept", "text/html"))).isEqualTo("MISS/ORIGIN");
      assertThat(a.originHits("/shared") + b.originHits("/shared")).isEqualTo(2);

      // purge by tag on B: A's L1 copy goes too (pub/sub), and L2
      int purged = CacheHarness.await(b.cache.purge(Map.of("tag", "t1")));
      assertThat(purged).isGreaterThanOrEqualTo(1);
      HttpResponse<String> afterPurge = awaitStatus(a, "/shared", 504, "Accept", "text/plain",
          "Cache-Control", "only-if-cached");
      assertThat(afterPurge.statusCode()).isEqualTo(504);

      // purge by key on A reaches B's L1
      a.get("/other");
      assertThat(xcache(awaitNot(b, "/other", "MISS/ORIGIN"))).startsWith("HIT");
      CacheHarness.await(a.cache.purge(Map.of("key", "http://svc.test/other")));
      assertThat(awaitStatus(b, "/other", 504, "Cache-Control", "only-if-cached").statusCode()).isEqualTo(504);
    } finally {
      CacheHarness.await(vertx.close());
    }
  }

  private static HttpResponse<String> awaitNot(CacheHarness h, String path, String notXcache, String... headers)
      throws InterruptedException {
    HttpResponse<String> r = null;
    for (int i = 0; i < 100; i++) {
      r = h.get(path, withHost(headers));
      if (!xcache(r).equals(notXcache)) {
        return r;
      }
      Thread.sleep(20);
    }
    return r;
  }

  private static HttpResponse<String> awaitStatus(CacheHarness h, String path, int status, String... headers)
      throws InterruptedException {
    HttpResponse<String> r = null;
    for (int i = 0; i < 100; i++) {
      r = h.get(path, withHost(headers));
      if (r.statusCode() == status) {
        return r;
      }
      Thread.sleep(20);
    }
    return r;
  }

  private static String[] withHost(String... headers) {
    return headers;
  }

  @Test
  void redisKilledMidLoadFailsNoClientRequestAndL2ComesBack() throws Exception {
    int port = RedisSupport.freePort();
    Process redis = RedisSupport.startServer(port);
    String uri = "redis://127.0.0.1:" + port;
    CacheConfig cfg = config(uri, RedisSupport.uniquePrefix("kill"), "k");
    try (CacheHarness h = new CacheHarness(cfg)) {
      for (int k = 0; k < 20; k++) {
        h.on("/k" + k, r -> r.response().putHeader("Cache-Control", "max-age=1").putHeader("ETag", "\"e\"")
            .end("body-" + r.path()));
      }
      int total = 0;
      int failed = 0;
      for (int round = 0; round < 12; round++) {
        if (round == 4) {
          redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (round == 8) {
          redis = RedisSupport.startServer(port);
        }
        List<CompletableFuture<HttpResponse<String>>> wave = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String path = "/k" + (i % 20);
          wave.add(h.client().sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.frontPort() + path))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < wave.size(); i++) {
          total++;
          try {
            HttpResponse<String> r = wave.get(i).get(15, TimeUnit.SECONDS);
            if (r.statusCode() != 200 || !r.body().equals("body-/k" + (i % 20))) {
              failed++;
            }
          } catch (Exception e) {
            failed++;
          }
        }
        h.clock.advance(Duration.ofSeconds(2)); // everything goes stale: every round touches L2 again
        Thread.sleep(150);
      }
      assertThat(total).isEqualTo(480);
      assertThat(failed).isZero();
      @SuppressWarnings("unchecked")
      Map<String, Object> l2 = (Map<String, Object>) ((Map<String, Object>) h.cache.stats().get("layers")).get("L2");
      assertThat((Long) l2.get("errors") + (Long) l2.get("skipped")).isPositive();
      // Redis is back: after the breaker's open time, writes succeed again without any restart of ours
      long writesBefore = (Long) l2.get("writes");
      Thread.sleep(400);
      for (int i = 0; i < 50; i++) {
        h.clock.advance(Duration.ofSeconds(2));
        h.get("/k" + (i % 20));
        @SuppressWarnings("unchecked")
        Map<String, Object> now = (Map<String, Object>) ((Map<String, Object>) h.cache.stats().get("layers"))
            .get("L2");
        if ((Long) now.get("writes") > writesBefore) {
          break;
        }
        Thread.sleep(50);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> after = (Map<String, Object>) ((Map<String, Object>) h.cache.stats().get("layers"))
          .get("L2");
      assertThat((Long) after.get("writes")).isGreaterThan(writesBefore);
    } finally {
      redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void l2EntriesAreBinarySafeAndPromotedToL1() throws Exception {
    String prefix = RedisSupport.uniquePrefix("binary");
    MutableClock clock = MutableClock.startingNow();
    Vertx vertx = CacheHarness.onProductionTransport();
    byte[] bin = new byte[70_000];
    for (int i = 0; i < bin.length; i++) {
      bin[i] = (byte) (i * 31 + 7);
    }
    try (CacheHarness a = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "a"), clock);
        CacheHarness b = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "b"), clock)) {
      a.authority = "svc.test";
      b.authority = "svc.test";
      for (CacheHarness h : List.of(a, b)) {
        h.on("/bin", r -> r.response().putHeader("Cache-Control", "max-age=600")
            .putHeader("Content-Type", "application/octet-stream").end(io.vertx.core.buffer.Buffer.buffer(bin)));
      }
      HttpResponse<byte[]> first = a.client().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + a.frontPort() + "/bin")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(first.body()).isEqualTo(bin);
      HttpResponse<byte[]> second = null;
      for (int i = 0; i < 100; i++) {
        second = b.client().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + b.frontPort() + "/bin")).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (second.headers().firstValue("x-cache-layer").orElse("").equals("L2")) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(second.headers().firstValue("x-cache-layer")).contains("L2");
      assertThat(second.body()).isEqualTo(bin);
      assertThat(b.originHits("/bin")).isZero();
    } finally {
      CacheHarness.await(vertx.close());
    }
  }

  @Test
  void aRangeIsSlicedFromAnEntryReadFromL2() throws Exception {
    String prefix = RedisSupport.uniquePrefix("range");
    MutableClock clock = MutableClock.startingNow();
    Vertx vertx = CacheHarness.onProductionTransport();
    byte[] bin = new byte[70_000];
    for (int i = 0; i < bin.length; i++) {
      bin[i] = (byte) (i * 17 + 3);
    }
    try (CacheHarness a = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "a"), clock);
        CacheHarness b = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "b"), clock)) {
      a.authority = "svc.test";
      b.authority = "svc.test";
      for (CacheHarness h : List.of(a, b)) {
        h.on("/r", r -> r.response().putHeader("Cache-Control", "max-age=600")
            .end(io.vertx.core.buffer.Buffer.buffer(bin)));
      }
      assertThat(a.get("/r").statusCode()).isEqualTo(200);
      HttpResponse<byte[]> part = null;
      for (int i = 0; i < 100; i++) { // only-if-cached: B never asks the origin while A's L2 write is under way
        part = b.client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.frontPort() + "/r"))
            .header("Range", "bytes=60000-60999").header("Cache-Control", "only-if-cached")
            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (part.statusCode() != 504) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(part.statusCode()).isEqualTo(206);
      assertThat(part.headers().firstValue("x-cache").orElse("") + "/"
          + part.headers().firstValue("x-cache-layer").orElse("")).isEqualTo("HIT/L2");
      assertThat(part.headers().firstValue("Content-Range")).contains("bytes 60000-60999/70000");
      assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(bin, 60000, 61000));
      assertThat(b.originHits("/r")).isZero();
    } finally {
      CacheHarness.await(vertx.close());
    }
  }

  @Test
  void frozenRedisIsSkippedAfterTheTimeoutAndTheBreakerOpens() throws Exception {
    int port = RedisSupport.freePort();
    Process redis = RedisSupport.startServer(port);
    CacheConfig cfg = CacheConfig.builder().l2RedisUri("redis://127.0.0.1:" + port)
        .l2KeyPrefix(RedisSupport.uniquePrefix("frozen")).l2Timeout(Duration.ofMillis(100)).l2BreakerFailures(3)
        .l2BreakerOpen(Duration.ofSeconds(30)).build();
    try (CacheHarness h = new CacheHarness(cfg)) {
      h.on("/f", r -> r.response().putHeader("Cache-Control", "max-age=60").end("f" + r.query()));
      assertThat(h.get("/f?warm").statusCode()).isEqualTo(200);
      new ProcessBuilder("kill", "-STOP", Long.toString(redis.pid())).start().waitFor();
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = h.get("/f?k=" + i);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("fk=" + i);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> l2 = (Map<String, Object>) ((Map<String, Object>) h.cache.stats().get("layers")).get("L2");
      assertThat(l2.get("breaker")).isEqualTo("OPEN");
      assertThat((Long) l2.get("skipped")).isPositive(); // later lookups did not even try
    } finally {
      new ProcessBuilder("kill", "-CONT", Long.toString(redis.pid())).start().waitFor();
      redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void invalidatedVaryVariantsNeverComeBackFromL2() throws Exception {
    String prefix = RedisSupport.uniquePrefix("vary");
    MutableClock clock = MutableClock.startingNow();
    Vertx vertx = CacheHarness.onProductionTransport();
    try (CacheHarness a = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "a"), clock);
        CacheHarness b = new CacheHarness(vertx, config(RedisSupport.sharedUri(), prefix, "b"), clock)) {
      AtomicInteger version = new AtomicInteger(1);
      for (CacheHarness h : List.of(a, b)) {
        h.authority = "svc.test";
        h.on("/doc", r -> {
          if (r.method().name().equals("POST")) {
            version.incrementAndGet();
            r.response().setStatusCode(204).end();
          } else {
            r.response().putHeader("Cache-Control", "max-age=600").putHeader("Vary", "Accept")
                .end(r.getHeader("Accept") + "-v" + version.get());
          }
        });
      }
      a.get("/doc", "Accept", "text/plain");
      a.get("/doc", "Accept", "text/html");
      // wait until B sees both variants in L2
      assertThat(awaitNot(b, "/doc", "MISS/ORIGIN", "Accept", "text/plain").body()).isEqualTo("text/plain-v1");
      assertThat(awaitNot(b, "/doc", "MISS/ORIGIN", "Accept", "text/html").body()).isEqualTo("text/html-v1");
      assertThat(a.send("POST", "/doc").statusCode()).isEqualTo(204);
      // B's L1 copies are dropped by pub/sub; L2 must not serve the old variants either
      HttpResponse<String> html = null;
      for (int i = 0; i < 100; i++) {
        html = b.get("/doc", "Accept", "text/html");
        if (html.body().endsWith("-v2")) {
          break;
        }
        Thread.sleep(20);
      }
      assertThat(html.body()).isEqualTo("text/html-v2");
      HttpResponse<String> plain = b.get("/doc", "Accept", "text/plain");
      assertThat(plain.body()).isEqualTo("text/plain-v2");
    } finally {
      CacheHarness.await(vertx.close());
    }
  }
}
