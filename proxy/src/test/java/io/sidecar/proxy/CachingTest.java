package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache stage in the real data plane: hits, Age, invalidation by unsafe methods, pass-through routes. */
class CachingTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private String call(HttpMethod method, String path) {
    ProxyHarness.Reply r = h.send(method, path, null, method == HttpMethod.POST ? "x" : null);
    return r.status() + " " + r.headers().get("x-cache") + " " + r.headers().contains("age") + " " + r.body();
  }

  @Test
  void cacheableResponsesAreServedFromTheCacheUntilAnUnsafeRequestInvalidatesThem() {
    AtomicInteger originGets = new AtomicInteger();
    int origin = h.upstream(req -> {
      if (req.method() == HttpMethod.GET) originGets.incrementAndGet();
      req.response().putHeader("cache-control", "max-age=60").end("v" + originGets.get());
    });
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - { name: cached, match: { path_prefix: /c/ }, cluster: app, cache: { enabled: true } }
          - { name: plain, cluster: app }
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(origin));
    assertThat(call(HttpMethod.GET, "/c/item")).isEqualTo("200 MISS false v1");
    assertThat(call(HttpMethod.GET, "/c/item")).isEqualTo("200 HIT true v1");
    assertThat(originGets.get()).isEqualTo(1);
    assertThat(call(HttpMethod.POST, "/c/item")).startsWith("200");
    assertThat(call(HttpMethod.GET, "/c/item")).isEqualTo("200 MISS false v2");
    assertThat(call(HttpMethod.GET, "/other")).isEqualTo("200 null false v3");
    assertThat(call(HttpMethod.GET, "/other")).isEqualTo("200 null false v4");
  }

  @Test
  void aHitCarriesTheStoredFieldsAndTheRouteRulesOverHttp1AndH2c() {
    AtomicInteger originGets = new AtomicInteger();
    int origin = h.upstream(req -> req.response().putHeader("Cache-Control", "max-age=60")
        .putHeader("X-Origin", "o" + originGets.incrementAndGet()).putHeader("Surrogate-Control", "max-age=60")
        .putHeader("X-Dropped", "by the route").end("body"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: cached
            cluster: app
            cache: { enabled: true }
            response_headers: { set: { x-route: r }, remove: [ x-dropped ] }
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(origin));
    assertThat(call(HttpMethod.GET, "/h")).isEqualTo("200 MISS false body");
    ProxyHarness.Reply hit = h.send(HttpMethod.GET, "/h", null, null);
    assertThat(hit.headers().get("x-cache")).isEqualTo("HIT");
    assertThat(hit.headers().get("x-origin")).isEqualTo("o1");
    assertThat(hit.headers().get("x-route")).isEqualTo("r");
    assertThat(hit.headers().get("content-length")).isEqualTo("4");
    assertThat(hit.headers().contains("age")).isTrue();
    assertThat(hit.headers().contains("x-dropped")).isFalse();
    assertThat(hit.headers().contains("surrogate-control")).isFalse(); // consumed by the cache (a surrogate)

    HttpClient h2c = h.httpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String overH2 = await(h.onClientContext(() -> h2c.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/h")
        .compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.version() + " "
            + resp.getHeader("x-cache") + " " + resp.getHeader("x-origin") + " " + resp.getHeader("x-route") + " "
            + resp.headers().contains("x-dropped") + " " + b))));
    assertThat(overH2).isEqualTo("HTTP_2 HIT o1 r false body");
    assertThat(originGets.get()).isEqualTo(1);
  }

  @Test
  void privateAndNoStoreResponsesAreNeverStored() {
    AtomicInteger calls = new AtomicInteger();
    int origin = h.upstream(req -> req.response().putHeader("cache-control", "private, max-age=60")
        .end("n" + calls.incrementAndGet()));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: cached, cluster: app, cache: { enabled: true } } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(origin));
    assertThat(call(HttpMethod.GET, "/p")).endsWith("n1");
    assertThat(call(HttpMethod.GET, "/p")).endsWith("n2");
  }

  @Test
  void aSilentOriginEndsACacheMissAtTheRouteTimeout() {
    int origin = h.upstream(req -> { /* never answers */ });
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: cached, cluster: app, timeout: 300ms, cache: { enabled: true } } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(origin));
    ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/slow", null, null);
    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UT");
  }

  @Test
  void anUnreachableOriginIsNamedEvenOnACachingRoute() {
    int dead = ProxyHarness.freePort();
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: cached, cluster: app, cache: { enabled: true } } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(dead));
    String flags = await(h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/x")
        .compose(req -> req.send()).map(r -> r.statusCode() + " " + r.getHeader("x-sidecar-flags"))));
    assertThat(flags).isEqualTo("503 UF");
  }

  @Test
  void bypassRulesAndKeptQueryParamsComeFromTheRoute() {
    AtomicInteger calls = new AtomicInteger();
    int origin = h.upstream(req -> req.response().putHeader("cache-control", "max-age=60").end("v" + calls.incrementAndGet()));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: cached
            cluster: app
            cache: { enabled: true, keep_query_params: [id], bypass: { path_prefixes: [/live/] } }
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(origin));
    assertThat(call(HttpMethod.GET, "/item?id=1&utm=a")).isEqualTo("200 MISS false v1");
    assertThat(call(HttpMethod.GET, "/item?utm=b&id=1")).isEqualTo("200 HIT true v1");
    assertThat(call(HttpMethod.GET, "/live/x")).startsWith("200 BYPASS");
    assertThat(call(HttpMethod.GET, "/live/x")).startsWith("200 BYPASS");
    assertThat(calls.get()).isEqualTo(3);
  }
}
