package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.http.HttpMethod;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** routes[].rate_limit through real sockets: 429 RL with Retry-After above the limit, kept across reloads. */
class RouteRateLimitTest {
  private final ProxyHarness h = new ProxyHarness();
  private final AtomicInteger served = new AtomicInteger();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private String config(int upstream, String rateLimit) {
    return """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - { name: limited, match: { path_prefix: /l/ }, cluster: app, rate_limit: %s }
          - { name: open, cluster: app }
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(rateLimit, upstream);
  }

  @Test
  void requestsAboveTheLimitGet429WithRetryAfterAndNeverReachTheUpstream() {
    int upstream = h.upstream(req -> {
      served.incrementAndGet();
      req.response().end("ok");
    });
    h.start(1, config(upstream, "{ requests: 2, per: 10s }"));
    assertThat(h.send(HttpMethod.GET, "/l/a", null, null).status()).isEqualTo(200);
    assertThat(h.send(HttpMethod.GET, "/l/a", null, null).status()).isEqualTo(200);
    ProxyHarness.Reply refused = h.send(HttpMethod.GET, "/l/a", null, null);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.headers().get("x-sidecar-flags")).isEqualTo("RL");
    assertThat(Integer.parseInt(refused.headers().get("retry-after"))).isBetween(4, 5); // one token every 5 s
    assertThat(h.send(HttpMethod.GET, "/other", null, null).status()).as("other routes are not limited").isEqualTo(200);
    assertThat(served.get()).isEqualTo(3);
    assertThat(h.registry.get("sidecar_requests").tags("route", "limited", "flag", "RL").counter().count()).isEqualTo(1);

    h.start(2, config(upstream, "{ requests: 2, per: 10s }"));
    assertThat(h.send(HttpMethod.GET, "/l/a", null, null).status()).as("an unchanged limit is not refilled by a reload")
        .isEqualTo(429);
    h.start(3, config(upstream, "{ requests: 2, per: 10s, burst: 3 }"));
    assertThat(h.send(HttpMethod.GET, "/l/a", null, null).status()).as("a changed limit starts full").isEqualTo(200);
  }

  @Test
  void aLimitNeedsItsRequestsAndPositiveFigures() {
    assertThatThrownBy(() -> ProxyHarness.parse(config(1, "{ per: 1s }").replace("{PROXY}", "1")))
        .hasMessageContaining("routes[0].rate_limit.requests").hasMessageContaining("is required");
    assertThatThrownBy(() -> ProxyHarness.parse(config(1, "{ requests: 5, burst: 0 }").replace("{PROXY}", "1")))
        .hasMessageContaining("routes[0].rate_limit.burst");
    assertThatThrownBy(() -> ProxyHarness.parse(config(1, "{ requests: 5, per: 0s }").replace("{PROXY}", "1")))
        .hasMessageContaining("routes[0].rate_limit.per");
  }
}
