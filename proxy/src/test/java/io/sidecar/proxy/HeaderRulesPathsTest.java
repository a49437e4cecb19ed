package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A route's {@code request_headers} / {@code response_headers} on both paths, through real sockets: the byte-level
 * path applies them to the heads' bytes and must give what the full path gives ({@link UpstreamRequests#apply}).
 */
class HeaderRulesPathsTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** Echoes every request field it got (names lower-cased) and answers with fields of its own, some twice. */
  private int echoUpstream() {
    return h.upstream(req -> {
      JsonObject seen = new JsonObject();
      req.headers().forEach(e -> {
        String name = e.getKey().toLowerCase(Locale.ROOT);
        seen.put(name, seen.containsKey(name) ? seen.getString(name) + "|" + e.getValue() : e.getValue());
      });
      req.response().putHeader("server", "origin").putHeader("x-kept", "yes");
      req.response().headers().add("x-internal", "secret").add("x-internal", "again");
      req.response().end(seen.encode());
    });
  }

  private void start(boolean fastPath, int upstream, String rules) {
    h.start(1, "server: { fast_path: " + fastPath + " }\n" + ProxyHarness.singleRoute(upstream, "    timeout: 2s\n" + rules));
  }


  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void requestAndResponseRulesSetAndRemoveFieldsOnBothPaths(boolean fastPath) throws Exception {
    start(fastPath, echoUpstream(), """
            request_headers: { set: { x-env: prod, X-Tenant: "a b;c" }, remove: [ x-debug, cookie ] }
            response_headers: { set: { server: sidecar, x-frame-options: DENY }, remove: [ x-internal ] }
        """);
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (int i = 0; i < 2; i++) {
        RawHttpClient.Response reply = client.exchange("GET /api/a HTTP/1.1\r\nHost: a\r\nX-Debug: 1\r\nx-env: dev\r\n"
            + "Cookie: s=1\r\nX-ENV: staging\r\nX-Keep: k\r\nCOOKIE: t=2\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        JsonObject seen = new JsonObject(reply.body());
        assertThat(seen.getString("x-env")).isEqualTo("prod"); // both client values replaced by the one set
        assertThat(seen.getString("x-tenant")).isEqualTo("a b;c");
        assertThat(seen.getString("x-keep")).isEqualTo("k");
        assertThat(seen.containsKey("x-debug")).isFalse();
        assertThat(seen.containsKey("cookie")).isFalse();
        assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
        assertThat(reply.header("server")).isEqualTo("sidecar");
        assertThat(reply.header("x-frame-options")).isEqualTo("DENY");
        assertThat(reply.header("x-internal")).isNull();
        assertThat(reply.header("x-kept")).isEqualTo("yes");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0);
  }

  /** host_rewrite: the upstream sees the route's Host, X-Forwarded-Host keeps the client's, on both paths. */
  @ParameterizedTest(name = "fast_path: {0}")
  @ValueSource(booleans = {true, false})
  void aHostRewriteReplacesTheHostAndKeepsTheClientsInXForwardedHost(boolean fastPath) throws Exception {
    start(fastPath, echoUpstream(), "    host_rewrite: api.internal:8443\n    request_headers: { set: { x-env: prod } }\n");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      for (int i = 0; i < 2; i++) {
        RawHttpClient.Response reply = client.exchange("GET /api/a HTTP/1.1\r\nHost: shop.example\r\nX-A: 1\r\n\r\n");
        JsonObject seen = new JsonObject(reply.body());
        assertThat(seen.getString("host")).isEqualTo("api.internal:8443");
        assertThat(seen.getString("x-forwarded-host")).isEqualTo("shop.example");
        assertThat(seen.getString("x-env")).isEqualTo("prod");
        assertThat(seen.getString("x-a")).isEqualTo("1");
      }
    }
    assertThat(h.fastPathRequests()).isEqualTo(fastPath ? 2.0 : 0.0);
  }

  /** A rule on a field the byte-level path writes itself (here X-Forwarded-Proto) keeps the route on the full path. */
  @Test
  void aRuleOnAFieldTheByteLevelPathWritesKeepsTheRouteOnTheFullPath() throws Exception {
    start(true, echoUpstream(), "    request_headers: { set: { x-forwarded-proto: https } }\n");
    try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
      RawHttpClient.Response reply = client.exchange("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(new JsonObject(reply.body()).getString("x-forwarded-proto")).isEqualTo("https");
    }
    assertThat(h.fastPathRequests()).isZero();
  }
}
