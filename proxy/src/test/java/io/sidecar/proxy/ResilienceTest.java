package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The balancer module wired into the data plane: retries, outlier ejection, breaker refusals. */
class ResilienceTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private String call(HttpMethod method, String path) {
    ProxyHarness.Reply r = h.send(method, path, null, method == HttpMethod.POST ? "payload" : null);
    return r.status() + " " + r.body();
  }

  private String cluster(String balancer, String extra, int... ports) {
    StringBuilder endpoints = new StringBuilder();
    for (int p : ports) endpoints.append(endpoints.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(p).append('"');
    return "  - { name: app, balancer: " + balancer + ", endpoints: [ " + endpoints + " ]" + extra + " }\n";
  }

  @Test
  void connectFailuresAreRetriedOnAnotherEndpoint() {
    int dead = ProxyHarness.freePort();
    int live = h.upstream(req -> req.response().end("live"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: r
            cluster: app
            retry: { on: [connect-failure], attempts: 1 }
        clusters:
        """ + cluster("round_robin", "", dead, live));
    for (int i = 0; i < 6; i++) {
      assertThat(call(HttpMethod.GET, "/")).isEqualTo("200 live");
    }
  }

  @Test
  void gatewayErrorsAreRetriedForGetButAPostIsNotRepeatedUnlessAllowed() {
    AtomicInteger sickCalls = new AtomicInteger();
    AtomicInteger healthyPosts = new AtomicInteger();
    int sick = h.upstream(req -> {
      sickCalls.incrementAndGet();
      req.body().onComplete(b -> req.response().setStatusCode(503).end("sick"));
    });
    int healthy = h.upstream(req -> req.body().onComplete(b -> {
      if (req.method() == HttpMethod.POST) healthyPosts.incrementAndGet();
      req.response().end("healthy:" + b.result());
    }));
    String config = """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes:
          - name: r
            cluster: app
            retry: { on: [gateway-error], attempts: 1 %s}
        clusters:
        """ + cluster("round_robin", "", sick, healthy);
    h.start(1, config.formatted(""));
    List<String> gets = new ArrayList<>();
    for (int i = 0; i < 4; i++) gets.add(call(HttpMethod.GET, "/"));
    assertThat(gets).containsOnly("200 healthy:");

    sickCalls.set(0);
    List<String> posts = new ArrayList<>();
    for (int i = 0; i < 4; i++) posts.add(call(HttpMethod.POST, "/"));
    assertThat(posts).contains("503 sick");
    assertThat(sickCalls.get() + healthyPosts.get()).isEqualTo(4); // each POST reached exactly one upstream

    h.start(2, config.formatted(", non_idempotent: true "));
    List<String> allowed = new ArrayList<>();
    for (int i = 0; i < 4; i++) allowed.add(call(HttpMethod.POST, "/"));
    assertThat(allowed).containsOnly("200 healthy:payload");
  }

  @Test
  void aDeadEndpointIsEjectedAndTrafficContinues() {
    int dead = ProxyHarness.freePort();
    int live = h.upstream(req -> req.response().end("live"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters:
        """ + cluster("round_robin", ", outlier_detection: { consecutive_5xx: 3, max_ejection_percent: 50 }", dead, live));
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) replies.add(call(HttpMethod.GET, "/").split(" ")[0]);
    assertThat(replies.subList(10, 20)).containsOnly("200");
    assertThat(replies.stream().filter(r -> r.equals("503")).count()).isEqualTo(3);
    var snapshot = h.runtime.snapshot().cluster("app").balancer().snapshot();
    assertThat(snapshot.endpoints()).filteredOn(e -> e.address().endsWith(":" + dead))
        .singleElement().satisfies(e -> assertThat(e.ejected()).isTrue());
  }

  @Test
  void anOpenBreakerAnswersFast503WithFlagBO() {
    int sick = h.upstream(req -> req.response().setStatusCode(500).end("boom"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters:
        """ + cluster("round_robin", ", circuit_breaker: { failure_rate: 50, window: 4, min_calls: 4, open_for: 30s }", sick));
    for (int i = 0; i < 4; i++) assertThat(call(HttpMethod.GET, "/")).isEqualTo("500 boom");
    String refused = await(h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/")
        .compose(req -> req.send()).map(r -> r.statusCode() + " " + r.getHeader("x-sidecar-flags"))));
    assertThat(refused).isEqualTo("503 BO");
  }

  @Test
  void aSlowFirstTryIsHedgedAndTheFirstAnswerWins() {
    AtomicInteger slowStarted = new AtomicInteger();
    int slow = h.upstream(req -> {
      slowStarted.incrementAndGet();
      h.vertx.setTimer(1500, id -> { if (!req.response().closed()) req.response().end("slow"); });
    });
    int fast = h.upstream(req -> req.body().onComplete(b -> req.response().end("fast")));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app, timeout: 5s } ]
        clusters:
        """ + cluster("round_robin", ", hedge: { delay: 50ms, budget_percent: 100 }", slow, fast));
    long start = System.nanoTime();
    for (int i = 0; i < 4; i++) assertThat(call(HttpMethod.GET, "/")).isEqualTo("200 fast");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);
    assertThat(slowStarted.get()).isGreaterThanOrEqualTo(1);
    // The losing tries were abandoned: they leave the endpoint's in-flight count and are not counted as requests.
    var slowSignals = h.runtime.signals().endpoint("app", "127.0.0.1:" + slow);
    assertThat(slowSignals.inFlight()).isZero();
    assertThat(slowSignals.snapshot().totalRequests()).isZero();
    // the exchange records its outcome once the response is written, which may be just after the client has read it
    var fastSignals = h.runtime.signals().endpoint("app", "127.0.0.1:" + fast);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (fastSignals.snapshot().totalRequests() < 4 && System.nanoTime() < deadline) Thread.onSpinWait();
    assertThat(fastSignals.snapshot().totalRequests()).isEqualTo(4);
    // a POST is not idempotent: never hedged, so the slow endpoint's answer is awaited when it is picked
    List<String> posts = new ArrayList<>();
    for (int i = 0; i < 2; i++) posts.add(call(HttpMethod.POST, "/"));
    assertThat(posts).contains("200 slow");
  }

  @Test
  void overTheClusterLimitRequestsGetFast503LO() {
    int slow = h.upstream(req -> h.vertx.setTimer(500, id -> req.response().end("ok")));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters:
        """ + cluster("round_robin", ", limits: { max_requests: 1 }", slow));
    List<io.vertx.core.Future<String>> both = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      both.add(h.onClientContext(() -> h.client.request(HttpMethod.GET, h.proxyPort, "127.0.0.1", "/")
          .compose(req -> req.send()).compose(r -> r.body().map(b -> r.statusCode() + " " + r.getHeader("x-sidecar-flags")))));
    }
    await(io.vertx.core.Future.join(both));
    assertThat(both.stream().map(io.vertx.core.Future::result).toList()).containsExactlyInAnyOrder("200 null", "503 LO");
  }
}
