package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.FaultInjection;
import io.sidecar.fault.FaultInjectionConfigParser;
import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.experiment.RouteSignals;
import io.sidecar.fault.parse.FaultSpecParser;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault rules applied by the real data plane. */
class FaultsThroughProxyTest {
  private final ProxyHarness h = new ProxyHarness();
  private FaultInjection faults;

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void start(long seed, int... ports) {
    faults = FaultInjection.create(h.vertx, FaultInjectionConfigParser.parse(Map.of("seed", seed), "").orThrow(),
        RouteSignals.NONE, new InMemoryAuditLog());
    h.runtime.useFaults(faults.registry());
    StringBuilder endpoints = new StringBuilder();
    for (int p : ports) endpoints.append(endpoints.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(p).append('"');
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: api
            cluster: app
            retry: { on: [connect-failure], attempts: 1 }
        clusters: [ { name: app, balancer: round_robin, endpoints: [ %s ] } ]
        """.formatted(endpoints));
  }

  private void rule(String json) {
    faults.registry().add(FaultSpecParser.parse(new io.vertx.core.json.JsonObject(json).getMap(), "").orThrow(), "test");
  }

  private int status() {
    return h.send(HttpMethod.GET, "/x", null, null).status();
  }

  private int abortedOf(long seed, int requests) {
    int upstream = h.upstream(req -> req.response().end("ok"));
    start(seed, upstream);
    rule("{\"name\":\"thirty\",\"route\":\"api\",\"percent\":30,\"abort\":{\"status\":503}}");
    int aborted = 0;
    for (int i = 0; i < requests; i++) if (status() == 503) aborted++;
    return aborted;
  }

  @Test
  void aThirtyPercentAbortLandsWithinBoundsAndRepeatsExactlyWithTheSameSeed() {
    int n = 1000;
    int first = abortedOf(7, n);
    // binomial(1000, 0.3): sd = 14.5; 5 sd either side
    assertThat(first).isBetween(300 - 73, 300 + 73);
    h.close();
    ProxyHarness again = new ProxyHarness();
    try {
      faults = FaultInjection.create(again.vertx, FaultInjectionConfigParser.parse(Map.of("seed", 7L), "").orThrow(),
          RouteSignals.NONE, new InMemoryAuditLog());
      again.runtime.useFaults(faults.registry());
      int upstream = again.upstream(req -> req.response().end("ok"));
      again.start(1, """
          listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
          routes: [ { name: api, cluster: app } ]
          clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
          """.formatted(upstream));
      rule("{\"name\":\"thirty\",\"route\":\"api\",\"percent\":30,\"abort\":{\"status\":503}}");
      int second = 0;
      for (int i = 0; i < n; i++) {
        int s = await(again.onClientContext(() -> again.client.request(HttpMethod.GET, again.proxyPort, "127.0.0.1", "/x")
            .compose(req -> req.send()).compose(r -> r.body().map(b -> r.statusCode()))));
        if (s == 503) second++;
      }
      assertThat(second).isEqualTo(first);
    } finally {
      again.close();
    }
  }

  @Test
  void delayAndResponsePatchApply() {
    int upstream = h.upstream(req -> req.response().putHeader("content-type", "application/json").end("{\"a\":1,\"b\":2}"));
    start(1, upstream);
    rule("{\"name\":\"slow\",\"route\":\"api\",\"percent\":100,\"delay\":{\"fixed\":\"200ms\"},"
        + "\"patch\":{\"status\":418,\"set_headers\":{\"x-patched\":\"yes\"},\"merge_patch\":{\"b\":null,\"c\":3}}}");
    long start = System.nanoTime();
    String reply = await(h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/x")
        .compose(req -> req.send()).compose(r -> r.body().map(b -> r.statusCode() + " " + r.getHeader("x-patched")
            + " " + r.getHeader("x-sidecar-fault") + " " + b))));
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(200);
    assertThat(reply).isEqualTo("418 yes slow {\"a\":1,\"c\":3}");
  }

  @Test
  void upstreamUnavailableLooksLikeAConnectFailureSoTheRetryRecovers() {
    int a = h.upstream(req -> req.response().end("a"));
    int b = h.upstream(req -> req.response().end("b"));
    start(1, a, b);
    rule("{\"name\":\"down\",\"route\":\"api\",\"percent\":100,\"abort\":{\"upstream_unavailable\":true}}");
    for (int i = 0; i < 4; i++) assertThat(status()).isEqualTo(200);
    assertThat(faults.stopAll("test")).isEqualTo(1);
  }

  @Test
  void truncationCutsTheBodyAndBreaksTheConnection() {
    int upstream = h.upstream(req -> req.response().end("0123456789".repeat(100)));
    start(1, upstream);
    rule("{\"name\":\"cut\",\"route\":\"api\",\"percent\":100,\"truncate\":{\"after_bytes\":10}}");
    Throwable failure = h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/x")
            .compose(req -> req.send()).compose(HttpClientResponse::body))
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e).join();
    assertThat(failure).isNotNull();
  }
}
