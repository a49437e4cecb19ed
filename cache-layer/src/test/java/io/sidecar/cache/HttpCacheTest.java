package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.cache.semantics.HttpDates;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 9111 behaviour end to end through real sockets (L1 only, virtual clock). */
@org.junit.jupiter.api.Timeout(60)
class HttpCacheTest {

  private CacheHarness h;

  @BeforeEach
  void start() {
    h = new CacheHarness(CacheConfig.builder().l1MaxBytes(16 * 1024 * 1024).build());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private void advance(int seconds) {
    h.clock.advance(Duration.ofSeconds(seconds));
  }

  private static String xcache(HttpResponse<String> r) {
    return r.headers().firstValue("x-cache").orElse("?");
  }

  @Test
  void freshResponseIsServedFromL1WithAge() {
    h.on("/a", r -> r.response().putHeader("Cache-Control", "max-age=60").end("hello"));
    HttpResponse<String> first = h.get("/a");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(xcache(first)).isEqualTo("MISS");
    assertThat(first.body()).isEqualTo("hello");
    advance(10);
    HttpResponse<String> second = h.get("/a");
    assertThat(xcache(second)).isEqualTo("HIT");
    assertThat(second.headers().firstValue("x-cache-layer")).contains("L1");
    assertThat(second.headers().firstValue("Age")).contains("10");
    assertThat(second.body()).isEqualTo("hello");
    assertThat(h.originHits("/a")).isEqualTo(1);
  }

  @Test
  void staleEntryIsRevalidatedWithEtagAnd304UpdatesHeaders() {
    AtomicInteger version = new AtomicInteger();
    h.on("/e", r -> {
      if ("\"v1\"".equals(r.getHeader("If-None-Match"))) {
        r.response().setStatusCode(304).putHeader("ETag", "\"v1\"").putHeader("Cache-Control", "max-age=30")
            .putHeader("X-Extra", "updated").end();
      } else {
        version.incrementAndGet();
        r.response().putHeader("ETag", "\"v1\"").putHeader("Cache-Control", "max-age=5")
            .putHeader("X-Extra", "original").end("body-v1");
      }
    });
    assertThat(xcache(h.get("/e"))).isEqualTo("MISS");
    advance(6);
    HttpResponse<String> r = h.get("/e");
    assertThat(xcache(r)).isEqualTo("REVALIDATED");
    assertThat(r.body()).isEqualTo("body-v1");
    assertThat(r.headers().firstValue("X-Extra")).contains("updated");
    assertThat(r.headers().firstValue("Content-Length")).contains("7");
    assertThat(version.get()).isEqualTo(1);
    // the 304 gave a new lifetime of 30 s
    advance(20);
    assertThat(xcache(h.get("/e"))).isEqualTo("HIT");
    assertThat(h.originHits("/e")).isEqualTo(2);
  }

  @Test
  void revalidationUsesIfModifiedSinceFromLastModified() {
    String lm = HttpDates.format(h.clock.millis() - 3_600_000);
    h.on("/lm", r -> {
      if (lm.equals(r.getHeader("If-Modified-Since"))) {
        r.response().setStatusCode(304).end();
      } else {
        r.response().putHeader("Last-Modified", lm).putHeader("Cache-Control", "max-age=1").end("lm-body");
      }
    });
    h.get("/lm");
    advance(2);
    HttpResponse<String> r = h.get("/lm");
    assertThat(xcache(r)).isEqualTo("REVALIDATED");
    assertThat(r.body()).isEqualTo("lm-body");
  }

  @Test
  void clientConditionalRequestsGet304FromCache() {
    h.on("/c", r -> r.response().putHeader("ETag", "W/\"x\"").putHeader("Cache-Control", "max-age=60")
        .putHeader("Last-Modified", HttpDates.format(h.clock.millis() - 10_000)).end("c-body"));
    h.get("/c");
    HttpResponse<String> inm = h.get("/c", "If-None-Match", "\"x\"");
    assertThat(inm.statusCode()).isEqualTo(304);
    assertThat(xcache(inm)).isEqualTo("HIT");
    assertThat(inm.body()).isEmpty();
    HttpResponse<String> other = h.get("/c", "If-None-Match", "\"y\"");
    assertThat(other.statusCode()).isEqualTo(200);
    HttpResponse<String> ims = h.get("/c", "If-Modified-Since", HttpDates.format(h.clock.millis()));
    assertThat(ims.statusCode()).isEqualTo(304);
    assertThat(h.originHits("/c")).isEqualTo(1);
  }

  @Test
  void conditionalMissIsStoredAndAnswered304() {
    h.on("/cm", r -> r.response().putHeader("ETag", "\"e\"").putHeader("Cache-Control", "max-age=60").end("cm"));
    HttpResponse<String> r = h.get("/cm", "If-None-Match", "\"e\"");
    assertThat(r.statusCode()).isEqualTo(304);
    // the origin saw no client conditional: the full response was fetched and stored
    assertThat(h.originRequestHeaders.get(0).contains("If-None-Match")).isFalse();
    assertThat(h.get("/cm").body()).isEqualTo("cm");
    assertThat(h.originHits("/cm")).isEqualTo(1);
  }

  @Test
  void headIsServedFromStoredGet() {
    h.on("/h", r -> r.response().putHeader("Cache-Control", "max-age=60").end("0123456789"));
    h.get("/h");
    HttpResponse<String> head = h.send("HEAD", "/h");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(xcache(head)).isEqualTo("HIT");
    assertThat(head.headers().firstValue("Content-Length")).contains("10");
    assertThat(head.body()).isEmpty();
    assertThat(h.originHits("/h")).isEqualTo(1);
  }

  @Test
  void noStoreAndPrivateAreNotStored() {
    h.on("/ns", r -> r.response().putHeader("Cache-Control", "no-store, max-age=60").end("x"));
    h.on("/p", r -> r.response().putHeader("Cache-Control", "private, max-age=60").end("x"));
    h.get("/ns");
    h.get("/ns");
    h.get("/p");
    h.get("/p");
    assertThat(h.originHits("/ns")).isEqualTo(2);
    assertThat(h.originHits("/p")).isEqualTo(2);
  }

  @Test
  void requestNoStoreIsNotStored() {
    h.on("/rns", r -> r.response().putHeader("Cache-Control", "max-age=60").end("x"));
    h.get("/rns", "Cache-Control", "no-store");
    h.get("/rns");
    assertThat(h.originHits("/rns")).isEqualTo(2);
  }

  @Test
  void qualifiedPrivateStoresWithoutTheListedField() {
    h.on("/qp", r -> r.response().putHeader("Cache-Control", "private=\"X-User\", max-age=60")
        .putHeader("X-User", "alice").end("shared"));
    h.get("/qp");
    HttpResponse<String> hit = h.get("/qp");
    assertThat(xcache(hit)).isEqualTo("HIT");
    assertThat(hit.headers().firstValue("X-User")).isEmpty();
  }

  @Test
  void authorizationNeedsExplicitPermission() {
    h.on("/auth", r -> r.response().putHeader("Cache-Control", "max-age=60").end("a"));
    h.on("/authpub", r -> r.response().putHeader("Cache-Control", "public, max-age=60").end("a"));
    h.get("/auth", "Authorization", "Bearer t");
    h.get("/auth", "Authorization", "Bearer t");
    assertThat(h.originHits("/auth")).isEqualTo(2);
    h.get("/authpub", "Authorization", "Bearer t");
    assertThat(xcache(h.get("/authpub", "Authorization", "Bearer t"))).isEqualTo("HIT");
    assertThat(h.originHits("/authpub")).isEqualTo(1);
  }

  @Test
  void varySelectsVariantsByNormalisedHeaderValues() {
    h.on("/v", r -> r.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "Accept-Language")
        .end("lang=" + r.getHeader("Accept-Language")));
    assertThat(h.get("/v", "Accept-Language", "en, fr").body()).isEqualTo("lang=en, fr");
    assertThat(h.get("/v", "Accept-Language", "de").body()).isEqualTo("lang=de");
    HttpResponse<String> normalised = h.get("/v", "Accept-Language", "EN,   FR");
    assertThat(xcache(normalised)).isEqualTo("HIT");
    assertThat(normalised.body()).isEqualTo("lang=en, fr");
    assertThat(xcache(h.get("/v"))).isEqualTo("MISS"); // absent header is its own variant
    assertThat(h.originHits("/v")).isEqualTo(3);
  }

  @Test
  void varyStarNeverMatches() {
    h.on("/vs", r -> r.response().putHeader("Cache-Control", "max-age=60").putHeader("Vary", "*").end("x"));
    h.get("/vs");
    assertThat(xcache(h.get("/vs"))).isEqualTo("MISS");
    assertThat(h.originHits("/vs")).isEqualTo(2);
  }

  @Test
  void staleWhileRevalidateServesStaleAndRefreshesInBackground() throws Exception {
    AtomicInteger n = new AtomicInteger();
    h.on("/swr", r -> r.response().putHeader("Cache-Control", "max-age=1, stale-while-revalidate=30")
        .end("v" + n.incrementAndGet()));
    assertThat(h.get("/swr").body()).isEqualTo("v1");
    advance(5);
    HttpResponse<String> stale = h.get("/swr");
    assertThat(xcache(stale)).isEqualTo("STALE");
    assertThat(stale.body()).isEqualTo("v1");
    for (int i = 0; i < 100 && h.originHits("/swr") < 2; i++) {
      Thread.sleep(20);
    }
    assertThat(h.originHits("/swr")).isEqualTo(2);
    HttpResponse<String> refreshed = awaitBody("/swr", "v2");
    assertThat(xcache(refreshed)).isEqualTo("HIT");
  }

  private HttpResponse<String> awaitBody(String path, String body) throws InterruptedException {
    HttpResponse<String> r = null;
    for (int i = 0; i < 100; i++) {
      r = h.get(path);
      if (r.body().equals(body)) {
        return r;
      }
      Thread.sleep(20);
    }
    return r;
  }

  @Test
  void staleIfErrorServesStaleWhenOriginFailsOrErrs() {
    AtomicInteger status = new AtomicInteger(200);
    h.on("/sie", r -> r.response().setStatusCode(status.get())
        .putHeader("Cache-Control", "max-age=1, stale-if-error=60").end("s" + status.get()));
    h.get("/sie");
    advance(5);
    status.set(503);
    HttpResponse<String> r = h.get("/sie");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(xcache(r)).isEqualTo("STALE");
    assertThat(r.body()).isEqualTo("s200");
    h.originDown = true;
    HttpResponse<String> down = h.get("/sie");
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(xcache(down)).isEqualTo("STALE");
    advance(120); // beyond the stale-if-error window
    assertThat(h.get("/sie").statusCode()).isEqualTo(502);
  }

  @Test
  void requestStaleIfErrorIsHonoured() {
    h.on("/rsie", r -> r.response().putHeader("Cache-Control", "max-age=1").putHeader("ETag", "\"a\"").end("r"));
    h.get("/rsie");
    advance(10);
    h.originDown = true;
    assertThat(h.get("/rsie").statusCode()).isEqualTo(502);
    HttpResponse<String> r = h.get("/rsie", "Cache-Control", "stale-if-error=60");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(xcache(r)).isEqualTo("STALE");
  }

  @Test
  void onlyIfCachedGives504WhenAbsentAndServesWhenPresent() {
    h.on("/oic", r -> r.response().putHeader("Cache-Control", "max-age=60").end("o"));
    HttpResponse<String> miss = h.get("/oic", "Cache-Control", "only-if-cached");
    assertThat(miss.statusCode()).isEqualTo(504);
    assertThat(h.originHits("/oic")).isZero();
    h.get("/oic");
    assertThat(h.get("/oic", "Cache-Control", "only-if-cached").statusCode()).isEqualTo(200);
    advance(120);
    assertThat(h.get("/oic", "Cache-Control", "only-if-cached").statusCode()).isEqualTo(504);
  }

  @Test
  void requestNoCacheAndPragmaForceValidation() {
    h.on("/nc", r -> r.response().putHeader("Cache-Control", "max-age=60").putHeader("ETag", "\"n\"").end("n"));
    h.get("/nc");
    h.get("/nc", "Cache-Control", "no-cache");
    assertThat(h.originHits("/nc")).isEqualTo(2);
    h.get("/nc", "Pragma", "no-cache");
    assertThat(h.originHits("/nc")).isEqualTo(3);
    // Pragma is ignored when Cache-Control is present (RFC 9111 §5.4)
    assertThat(xcache(h.get("/nc", "Pragma", "no-cache", "Cache-Control", "max-stale=0"))).isEqualTo("HIT");
    assertThat(h.originHits("/nc")).isEqualTo(3);
  }

  @Test
  void requestMaxAgeMaxStaleAndMinFresh() {
    h.on("/rd", r -> r.response().putHeader("Cache-Control", "max-age=10").end("rd"));
    h.get("/rd");
    advance(5);
    assertThat(xcache(h.get("/rd", "Cache-Control", "max-age=2"))).isNotEqualTo("HIT");
    int hits = h.originHits("/rd");
    assertThat(hits).isEqualTo(2);
    advance(8); // age 8 of 10
    assertThat(xcache(h.get("/rd", "Cache-Control", "min-fresh=5"))).isEqualTo("MISS");
    assertThat(h.originHits("/rd")).isEqualTo(3);
    advance(15); // stale by 5
    HttpResponse<String> maxStale = h.get("/rd", "Cache-Control", "max-stale=10");
    assertThat(xcache(maxStale)).isEqualTo("STALE");
    assertThat(xcache(h.get("/rd", "Cache-Control", "max-stale=1"))).isEqualTo("MISS");
  }

  @Test
  void mustRevalidateAndProxyRevalidateForbidStale() {
    h.on("/mr", r -> r.response().putHeader("Cache-Control", "max-age=1, must-revalidate").end("m"));
    h.on("/pr", r -> r.response().putHeader("Cache-Control", "max-age=1, proxy-revalidate").end("p"));
    h.get("/mr");
    h.get("/pr");
    advance(5);
    assertThat(xcache(h.get("/mr", "Cache-Control", "max-stale=100"))).isEqualTo("MISS");
    assertThat(xcache(h.get("/pr", "Cache-Control", "max-stale=100"))).isEqualTo("MISS");
  }

  @Test
  void sMaxAgeWinsOverMaxAgeForASharedCache() {
    h.on("/sm", r -> r.response().putHeader("Cache-Control", "max-age=1, s-maxage=100").end("s"));
    h.get("/sm");
    advance(50);
    assertThat(xcache(h.get("/sm"))).isEqualTo("HIT");
  }

  @Test
  void responseNoCacheAlwaysRevalidates() {
    h.on("/rnc", r -> {
      if ("\"z\"".equals(r.getHeader("If-None-Match"))) {
        r.response().setStatusCode(304).end();
      } else {
        r.response().putHeader("Cache-Control", "no-cache, max-age=600").putHeader("ETag", "\"z\"").end("z");
      }
    });
    h.get("/rnc");
    HttpResponse<String> r = h.get("/rnc");
    assertThat(xcache(r)).isEqualTo("REVALIDATED");
    assertThat(r.body()).isEqualTo("z");
    assertThat(h.originHits("/rnc")).isEqualTo(2);
  }

  @Test
  void qualifiedNoCacheStripsTheFieldsUntilRevalidated() {
    h.on("/qnc", r -> r.response().putHeader("Cache-Control", "no-cache=\"Set-Cookie\", max-age=60")
        .putHeader("Set-Cookie", "s=1").end("q"));
    assertThat(h.get("/qnc").headers().firstValue("Set-Cookie")).contains("s=1");
    HttpResponse<String> hit = h.get("/qnc");
    assertThat(xcache(hit)).isEqualTo("HIT");
    assertThat(hit.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void expiresAndInvalidExpires() {
    h.on("/exp", r -> r.response().putHeader("Date", HttpDates.format(h.clock.millis()))
        .putHeader("Expires", HttpDates.format(h.clock.millis() + 30_000)).end("e"));
    h.on("/exp0", r -> r.response().putHeader("Expires", "0").end("e"));
    h.get("/exp");
    advance(20);
    assertThat(xcache(h.get("/exp"))).isEqualTo("HIT");
    advance(20);
    assertThat(xcache(h.get("/exp"))).isEqualTo("MISS");
    h.get("/exp0");
    assertThat(xcache(h.get("/exp0"))).isEqualTo("MISS");
  }

  @Test
  void heuristicFreshnessFromLastModifiedIsCapped() {
    h.policy = r -> CachePolicy.builder("test").heuristicMax(Duration.ofSeconds(30)).build();
    h.on("/heu", r -> r.response().putHeader("Last-Modified", HttpDates.format(h.clock.millis() - 86_400_000L))
        .end("h"));
    h.get("/heu");
    advance(25);
    assertThat(xcache(h.get("/heu"))).isEqualTo("HIT");
    advance(10); // 10% of one day would be 2.4 h, the cap is 30 s
    assertThat(xcache(h.get("/heu"))).isNotEqualTo("HIT");
  }

  @Test
  void routeDefaultTtlAppliesOnlyWithoutFreshnessInformation() {
    h.policy = r -> CachePolicy.builder("test").defaultTtl(Duration.ofSeconds(30)).build();
    h.on("/dt", r -> r.response().end("d"));
    h.on("/dt-noheur", r -> r.response().setStatusCode(302).putHeader("Location", "/x").end());
    h.get("/dt");
    advance(20);
    assertThat(xcache(h.get("/dt"))).isEqualTo("HIT");
    h.get("/dt-noheur");
    assertThat(xcache(h.get("/dt-noheur"))).isEqualTo("MISS"); // 302 is not heuristically cacheable
  }

  @Test
  void cdnCacheControlAndSurrogateControlTakePrecedence() {
    h.on("/cdn", r -> r.response().putHeader("Cache-Control", "no-store")
        .putHeader("CDN-Cache-Control", "max-age=60").end("cdn"));
    h.on("/sc", r -> r.response().putHeader("Cache-Control", "max-age=0")
        .putHeader("Surrogate-Control", "max-age=60;edge").end("sc"));
    h.get("/cdn");
    HttpResponse<String> cdn = h.get("/cdn");
    assertThat(xcache(cdn)).isEqualTo("HIT");
    assertThat(cdn.headers().firstValue("Cache-Control")).contains("no-store"); // passed on unchanged
    h.get("/sc");
    HttpResponse<String> sc = h.get("/sc");
    assertThat(xcache(sc)).isEqualTo("HIT");
    assertThat(sc.headers().firstValue("Surrogate-Control")).isEmpty(); // consumed by the surrogate
  }

  @Test
  void unsafeMethodsInvalidateTargetAndSameOriginLocation() {
    h.on("/items", r -> r.response().putHeader("Cache-Control", "max-age=600").end("list"));
    h.on("/items/1", r -> {
      if (r.method().name().equals("POST")) {
        r.response().setStatusCode(201).putHeader("Location", "/items").end();
      } else {
        r.response().putHeader("Cache-Control", "max-age=600").end("one");
      }
    });
    h.on("/err", r -> r.response().setStatusCode(r.method().name().equals("GET") ? 200 : 500)
        .putHeader("Cache-Control", "max-age=600").end("e"));
    h.get("/items");
    h.get("/items/1");
    h.get("/err");
    assertThat(xcache(h.send("POST", "/items/1"))).isEqualTo("BYPASS");
    assertThat(xcache(h.get("/items/1"))).isEqualTo("MISS");
    assertThat(xcache(h.get("/items"))).isEqualTo("MISS");
    h.send("DELETE", "/err"); // error responses do not invalidate
    assertThat(xcache(h.get("/err"))).isEqualTo("HIT");
  }

  @Test
  void oversizedObjectsPassThroughIntactAndUncached() {
    h.policy = r -> CachePolicy.builder("test").maxObjectSize(1000).build();
    String big = "x".repeat(5000);
    h.on("/big", r -> r.response().putHeader("Cache-Control", "max-age=60").end(big));
    h.on("/bigchunked", r -> {
      r.response().setChunked(true).putHeader("Cache-Control", "max-age=60");
      for (int i = 0; i < 5; i++) {
        r.response().write("y".repeat(1000));
      }
      r.response().end();
    });
    assertThat(h.get("/big").body()).isEqualTo(big);
    assertThat(h.get("/big").body()).isEqualTo(big);
    assertThat(h.originHits("/big")).isEqualTo(2);
    assertThat(h.get("/bigchunked").body()).hasSize(5000);
    assertThat(h.get("/bigchunked").body()).hasSize(5000);
    assertThat(h.originHits("/bigchunked")).isEqualTo(2);
  }

  @Test
  void hundredConcurrentMissesMakeExactlyOneOriginRequest() throws Exception {
    h.on("/slow", r -> h.vertx.setTimer(300, t -> r.response().putHeader("Cache-Control", "max-age=60")
        .end("slow-body")));
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(h.client().sendAsync(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + h.frontPort() + "/slow")).timeout(Duration.ofSeconds(20))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : all) {
      HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow-body");
    }
    assertThat(h.originHits("/slow")).isEqualTo(1);
  }

  @Test
  void coalescedWaitersGoToOriginThemselvesWhenTheFillIsNotStorable() throws Exception {
    h.on("/priv", r -> h.vertx.setTimer(200, t -> r.response().putHeader("Cache-Control", "private").end("p")));
    var a = h.client().sendAsync(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + h.frontPort() + "/priv")).build(), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(50);
    var b = h.client().sendAsync(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + h.frontPort() + "/priv")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(a.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("p");
    assertThat(b.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("p");
    assertThat(h.originHits("/priv")).isEqualTo(2);
  }

  @Test
  void cacheKeyIgnoresAndSortsQueryParametersAndUsesKeyHeaders() {
    h.policy = r -> CachePolicy.builder("test").ignoredQueryParams(java.util.Set.of("utm_source")).sortQuery(true)
        .keyHeaders(java.util.List.of("X-Tenant")).build();
    h.on("/q", r -> r.response().putHeader("Cache-Control", "max-age=60").end("q=" + r.query()));
    h.get("/q?b=2&a=1&utm_source=x", "X-Tenant", "t1");
    assertThat(xcache(h.get("/q?a=1&b=2", "X-Tenant", "t1"))).isEqualTo("HIT");
    assertThat(xcache(h.get("/q?a=1&b=2", "X-Tenant", "t2"))).isEqualTo("MISS");
    assertThat(xcache(h.get("/q?a=1&b=3", "X-Tenant", "t1"))).isEqualTo("MISS");
  }

  @Test
  void bypassRulesAndDisabledRoutes() {
    h.on("/byp", r -> r.response().putHeader("Cache-Control", "max-age=60").end("b"));
    h.policy = r -> CachePolicy.builder("test").bypassRequestHeaders(java.util.List.of("Cookie"))
        .bypassPathPrefixes(java.util.List.of("/admin")).build();
    h.get("/byp", "Cookie", "a=1");
    assertThat(xcache(h.get("/byp", "Cookie", "a=1"))).isEqualTo("BYPASS");
    h.policy = r -> CachePolicy.builder("test").enabled(false).build();
    assertThat(xcache(h.get("/byp"))).isEqualTo("BYPASS");
    assertThat(h.originHits("/byp")).isEqualTo(3);
  }

  @Test
  void purgeByTagKeyPrefixGlobAndAll() {
    for (String p : new String[] {"/p/1", "/p/2", "/q/1", "/a/x/y", "/a/z"}) {
      h.on(p, r -> r.response().putHeader("Cache-Control", "max-age=600")
          .putHeader("Surrogate-Key", p.startsWith("/p") ? "prod all" : "other all").end(p));
      h.get(p);
    }
    assertThat(h.get("/p/1").headers().firstValue("Surrogate-Key")).isEmpty();
    assertThat(CacheHarness.await(h.cache.purge(java.util.Map.of("tag", "prod")))).isEqualTo(2);
    assertThat(xcache(h.get("/p/1"))).isEqualTo("MISS");
    assertThat(xcache(h.get("/q/1"))).isEqualTo("HIT");
    assertThat(CacheHarness.await(h.cache.purge(java.util.Map.of("key",
        "http://127.0.0.1:" + h.frontPort() + "/q/1")))).isEqualTo(1);
    assertThat(xcache(h.get("/q/1"))).isEqualTo("MISS");
    assertThat(CacheHarness.await(h.cache.purge(java.util.Map.of("glob", "/a/*/y")))).isEqualTo(1);
    assertThat(xcache(h.get("/a/z"))).isEqualTo("HIT");
    assertThat(xcache(h.get("/a/x/y"))).isEqualTo("MISS");
    assertThat(CacheHarness.await(h.cache.purge(java.util.Map.of("prefix", "/a/")))).isEqualTo(2);
    // left: /p/1 and /q/1 (fetched again after their purges)
    assertThat(CacheHarness.await(h.cache.purge(java.util.Map.of("all", true)))).isEqualTo(2);
    assertThat(xcache(h.get("/p/2"))).isEqualTo("MISS");
  }

  @Test
  void invalidPurgePatternFailsWithValidationErrorAndPurgesNothing() {
    h.on("/keep", r -> r.response().putHeader("Cache-Control", "max-age=600").end("k"));
    h.get("/keep");
    Throwable t = h.cache.purge(java.util.Map.of("glob", "/a/[b")).cause();
    assertThat(t).isInstanceOf(InvalidPurgeException.class).hasMessageContaining("glob");
    assertThat(((InvalidPurgeException) t).field()).isEqualTo("glob");
    assertThat(xcache(h.get("/keep"))).isEqualTo("HIT");
  }

  @Test
  void refreshAheadRevalidatesHotEntriesBeforeTheyExpire() throws Exception {
    h.policy = r -> CachePolicy.builder("test").refreshAhead(true).build();
    AtomicInteger n = new AtomicInteger();
    h.on("/hot", r -> r.response().putHeader("Cache-Control", "max-age=100").end("v" + n.incrementAndGet()));
    h.get("/hot");
    for (int i = 0; i < CacheConfig.DEFAULT_REFRESH_AHEAD_MIN_HITS; i++) {
      h.get("/hot");
    }
    assertThat(h.originHits("/hot")).isEqualTo(1);
    advance(95); // 5 % of the lifetime left
    assertThat(xcache(h.get("/hot"))).isEqualTo("HIT");
    for (int i = 0; i < 100 && h.originHits("/hot") < 2; i++) {
      Thread.sleep(20);
    }
    assertThat(h.originHits("/hot")).isEqualTo(2);
    advance(10); // past the original expiry: the refreshed copy is fresh
    HttpResponse<String> r = awaitBody("/hot", "v2");
    assertThat(xcache(r)).isEqualTo("HIT");
  }

  @Test
  void adaptiveTtlLearnsFromRevalidationOutcomes() {
    h.policy = r -> CachePolicy.builder("test").heuristic(true).adaptiveTtl(true)
        .adaptiveMin(Duration.ofSeconds(1)).adaptiveMax(Duration.ofSeconds(600)).build();
    // no explicit freshness, no Last-Modified heuristic: only validators
    h.on("/stable/x", r -> {
      if (r.getHeader("If-None-Match") != null) {
        r.response().setStatusCode(304).end();
      } else {
        r.response().putHeader("ETag", "\"s\"").end("stable");
      }
    });
    h.get("/stable/x");
    for (int i = 0; i < 8; i++) {
      advance(10);
      h.get("/stable/x");
    }
    @SuppressWarnings("unchecked")
    java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>> adaptive =
        (java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>>) h.cache.stats()
            .get("adaptive_ttl");
    java.util.Map<String, Object> learnt = adaptive.get("test").values().iterator().next();
    assertThat((Long) learnt.get("ttl_ms")).isEqualTo(600_000L); // never changed: the upper bound
    int before = h.originHits("/stable/x");
    advance(300);
    assertThat(xcache(h.get("/stable/x"))).isIn("HIT", "REVALIDATED");
    advance(1);
    assertThat(xcache(h.get("/stable/x"))).isEqualTo("HIT");
    assertThat(h.originHits("/stable/x")).isLessThanOrEqualTo(before + 1);
  }

  @Test
  void statsCountHitsMissesAndBytesPerRoute() {
    h.on("/s", r -> r.response().putHeader("Cache-Control", "max-age=60").end("12345"));
    h.get("/s");
    h.get("/s");
    h.get("/s");
    @SuppressWarnings("unchecked")
    java.util.Map<String, java.util.Map<String, Object>> routes =
        (java.util.Map<String, java.util.Map<String, Object>>) h.cache.stats().get("routes");
    assertThat(routes.get("test").get("hits_l1")).isEqualTo(2L);
    assertThat(routes.get("test").get("misses")).isEqualTo(1L);
    assertThat(routes.get("test").get("bytes_from_cache")).isEqualTo(10L);
    assertThat(routes.get("test").get("bytes_stored")).isEqualTo(5L);
  }

  @Test
  void concurrentRequestsDuringStaleWhileRevalidateShareOneBackgroundRefresh() throws Exception {
    AtomicInteger n = new AtomicInteger();
    h.on("/swrc", r -> {
      int v = n.incrementAndGet();
      h.vertx.setTimer(v == 1 ? 1 : 1500, t -> r.response()
          .putHeader("Cache-Control", "max-age=1, stale-while-revalidate=60").end("v" + v));
    });
    h.get("/swrc");
    advance(5);
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(h.client().sendAsync(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + h.frontPort() + "/swrc")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : all) {
      HttpResponse<String> r = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(xcache(r)).isEqualTo("STALE");
      assertThat(r.body()).isEqualTo("v1");
    }
    // a client that insists on validation joins the refresh in flight instead of fetching again
    HttpResponse<String> validated = h.get("/swrc", "Cache-Control", "no-cache");
    assertThat(validated.body()).isEqualTo("v2");
    assertThat(h.originHits("/swrc")).isEqualTo(2);
  }

  @Test
  void storedResponseIsDroppedWhenTheOriginNowForbidsStoring() {
    AtomicInteger n = new AtomicInteger();
    h.on("/gone", r -> r.response().putHeader("Cache-Control", n.incrementAndGet() == 1 ? "max-age=1" : "no-store")
        .end("g" + n.get()));
    h.get("/gone");
    advance(5);
    assertThat(h.get("/gone").body()).isEqualTo("g2");
    // the old copy must not come back, even for a client accepting stale responses
    HttpResponse<String> r = h.get("/gone", "Cache-Control", "max-stale=3600");
    assertThat(r.body()).isEqualTo("g3");
  }

  @Test
  void unsafeMethodInvalidationUsesContentLocation() {
    h.on("/doc", r -> {
      if (r.method().name().equals("PUT")) {
        r.response().setStatusCode(200).putHeader("Content-Location", "/doc/view").end();
      } else {
        r.response().putHeader("Cache-Control", "max-age=600").end("doc");
      }
    });
    h.on("/doc/view", r -> r.response().putHeader("Cache-Control", "max-age=600").end("view"));
    h.get("/doc/view");
    assertThat(xcache(h.get("/doc/view"))).isEqualTo("HIT");
    h.send("PUT", "/doc");
    assertThat(xcache(h.get("/doc/view"))).isEqualTo("MISS");
  }

  @Test
  void coalescedWaitersAreBoundedInTimeThenFetchThemselves() throws Exception {
    try (CacheHarness quick = new CacheHarness(CacheConfig.builder().coalesceWait(Duration.ofMillis(200)).build())) {
      AtomicInteger n = new AtomicInteger();
      quick.on("/stuck", r -> {
        int v = n.incrementAndGet();
        quick.vertx.setTimer(v == 1 ? 3000 : 1, t -> r.response().putHeader("Cache-Control", "max-age=60")
            .end("v" + v));
      });
      var leader = quick.client().sendAsync(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + quick.frontPort() + "/stuck")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (int i = 0; i < 100 && quick.originHits("/stuck") == 0; i++) {
        Thread.sleep(10);
      }
      HttpResponse<String> waiter = quick.get("/stuck");
      assertThat(waiter.body()).isEqualTo("v2"); // gave up waiting for the leader after 200 ms
      assertThat(leader.isDone()).isFalse();
      assertThat(leader.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("v1");
      assertThat(quick.originHits("/stuck")).isEqualTo(2);
    }
  }

  @Test
  void aFillCompletesWhenTheClientGoesAway() throws Exception {
    h.on("/abandon", r -> r.response().putHeader("Cache-Control", "max-age=60").end("kept"));
    CachePolicy policy = CachePolicy.defaults("test");
    CacheRequest req = new CacheRequest("GET", "http", "svc.test", "/abandon", io.vertx.core.MultiMap
        .caseInsensitiveMultiMap());
    io.vertx.core.http.HttpClient client = h.vertx.createHttpClient();
    Origin origin = (r, extra) -> client.request(io.vertx.core.http.HttpMethod.GET, h.originPort(), "127.0.0.1",
        r.pathAndQuery()).compose(io.vertx.core.http.HttpClientRequest::send)
        .map(resp -> new OriginResponse(resp.statusCode(), resp.headers(), resp));
    CacheResponse miss = CacheHarness.await(h.vertx.getOrCreateContext().<CacheResponse>executeBlocking(() ->
        null).compose(v -> h.cache.handle(req, policy, origin)));
    assertThat(miss.cacheStatus()).isEqualTo(CacheStatus.MISS);
    assertThat(miss.downstreamGone()).isTrue(); // nobody reads the body: the cache finishes storing it
    CacheResponse hit = null;
    for (int i = 0; i < 100; i++) {
      hit = CacheHarness.await(h.cache.handle(req, policy, origin));
      if (hit.cacheStatus() == CacheStatus.HIT) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(hit.cacheStatus()).isEqualTo(CacheStatus.HIT);
    assertThat(hit.body().toString()).isEqualTo("kept");
  }
}
