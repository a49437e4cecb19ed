package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static io.sidecar.proxy.ProxyHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.balancer.EndpointSnapshot;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health checks through real sockets: an endpoint whose /healthz fails gets no traffic although its data path
 * still answers 200, and gets traffic again once /healthz recovers.
 */
class HealthCheckTest {
  private final ProxyHarness h = new ProxyHarness();
  @TempDir Path dir;

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** An upstream answering its name on every path but /healthz, which answers {@code health}. */
  private static final class Upstream {
    final String name;
    final AtomicInteger health = new AtomicInteger(200);
    final AtomicInteger probes = new AtomicInteger();
    final Map<String, String> lastProbeHeaders = new ConcurrentHashMap<>();
    /** Connections that carried a probe and are still open. */
    final Set<HttpConnection> probeConnections = ConcurrentHashMap.newKeySet();
    volatile boolean hang;
    int port;

    Upstream(String name) {
      this.name = name;
    }
  }

  private Upstream upstream(String name) {
    Upstream u = new Upstream(name);
    HttpServer server = await(h.vertx.createHttpServer().requestHandler(req -> {
      if (!req.path().equals("/healthz")) {
        req.response().end(u.name);
        return;
      }
      u.probes.incrementAndGet();
      u.lastProbeHeaders.put("host", String.valueOf(req.authority()));
      u.lastProbeHeaders.put("user-agent", String.valueOf(req.getHeader("user-agent")));
      HttpConnection c = req.connection();
      if (u.probeConnections.add(c)) c.closeHandler(v -> u.probeConnections.remove(c));
      if (!u.hang) req.response().setStatusCode(u.health.get()).end();
    }).listen(0, "127.0.0.1"));
    u.port = server.actualPort();
    return u;
  }

  private String config(String healthCheck, Upstream... ups) {
    StringBuilder endpoints = new StringBuilder();
    for (Upstream u : ups) endpoints.append(endpoints.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(u.port).append('"');
    return config(healthCheck, endpoints.toString());
  }

  /** One round-robin cluster of {@code endpoints} (a YAML list's items) behind a catch-all route. */
  private static String config(String healthCheck, String endpoints) {
    return """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters:
          - name: app
            balancer: round_robin
            endpoints: [ %s ]
        """.formatted(endpoints) + healthCheck;
  }

  /** Short intervals for the test; a generous timeout so that a loaded machine does not fail probes. */
  private static String healthCheck(String timeout) {
    return """
          health_check:
            path: /healthz
            interval: 100ms
            no_traffic_interval: 100ms
            timeout: %s
            unhealthy_threshold: 2
            healthy_threshold: 2
      """.formatted(timeout);
  }

  private static final String HEALTH_CHECK = healthCheck("1s");

  private Map<String, Integer> traffic(int requests) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      ProxyHarness.Reply r = h.send(HttpMethod.GET, "/work", null, null);
      assertThat(r.status()).isEqualTo(200);
      out.merge(r.body(), 1, Integer::sum);
    }
    return out;
  }

  private EndpointSnapshot endpoint(Upstream u) {
    return h.runtime.snapshot().cluster("app").balancer().snapshot().endpoints().stream()
        .filter(e -> e.address().equals("127.0.0.1:" + u.port)).findFirst().orElseThrow();
  }

  @Test
  void anEndpointFailingItsHealthCheckGetsNoTrafficUntilItRecovers() {
    Upstream a = upstream("a");
    Upstream b = upstream("b");
    h.start(1, config(HEALTH_CHECK, a, b));
    within(10_000, () -> "healthy".equals(endpoint(a).healthCheck()) && "healthy".equals(endpoint(b).healthCheck()));
    assertThat(traffic(10)).containsOnlyKeys("a", "b");
    // Envoy's default Host for probes is the cluster's name
    assertThat(b.lastProbeHeaders).containsEntry("host", "app").containsEntry("user-agent", HealthProber.USER_AGENT);

    b.health.set(503);
    // a 503 fails at once (not a network failure): the next check, about one interval later
    long tookMs = within(5_000, () -> "unhealthy".equals(endpoint(b).healthCheck()));
    // a few intervals at most, even on a loaded machine (measured: about one interval)
    assertThat(tookMs).isLessThan(2_000);
    assertThat(endpoint(b).avoidedReason()).startsWith("failed active health check: ").endsWith("(last: 503)");
    assertThat(traffic(20)).containsOnlyKeys("a");

    b.health.set(200);
    // healthy_threshold 2: two passing checks, an interval apart
    long recoveredMs = within(5_000, () -> "healthy".equals(endpoint(b).healthCheck()));
    System.out.printf("health check, interval 100 ms: unhealthy %d ms after /healthz turned 503, healthy %d ms after "
        + "it turned 200 (healthy_threshold 2)%n", tookMs, recoveredMs);
    assertThat(endpoint(b).avoidedReason()).isNull();
    assertThat(traffic(10)).containsOnlyKeys("a", "b");
  }

  /** A probe answer whose head ends its lines with a bare LF is read as the proxied responses are ({@link UpstreamConnectionSetup}). */
  @Test
  void aProbeAnswerWithBareLfLineEndsCounts() throws Exception {
    try (FastPathTest.RawUpstream legacy = new FastPathTest.RawUpstream(
        java.util.Collections.nCopies(200, "HTTP/1.1 200 OK\nContent-Length: 0\n\n"))) {
      h.start(1, config(HEALTH_CHECK, "\"127.0.0.1:" + legacy.port() + "\""));
      within(10_000, () -> "healthy".equals(h.runtime.snapshot().cluster("app").balancer().snapshot().endpoints()
          .get(0).healthCheck()));
      assertThat(legacy.connections()).as("one probe connection, kept alive").isEqualTo(1);
    }
  }

  /** So is one whose chunked body ends its own lines with a bare LF ({@link ChunkedLineEnds}); the connection stays. */
  @Test
  void aProbeAnswerWithABareLfChunkedBodyCounts() throws Exception {
    try (FastPathTest.RawUpstream legacy = new FastPathTest.RawUpstream(java.util.Collections.nCopies(200,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;e\nok\n0\nX-T: v\n\n"))) {
      h.start(1, config(HEALTH_CHECK, "\"127.0.0.1:" + legacy.port() + "\""));
      within(10_000, () -> "healthy".equals(h.runtime.snapshot().cluster("app").balancer().snapshot().endpoints()
          .get(0).healthCheck()));
      assertThat(legacy.connections()).as("one probe connection, kept alive").isEqualTo(1);
    }
  }

  /**
   * Probes keep one connection, and an upstream that announces how long it keeps it idle ({@code Keep-Alive:
   * timeout=2}) has it replaced before then ({@link KeepAliveMargin}): a probe every 5 s on a connection Node or Apache
   * closes after 5 s met the close, a failed probe. Here probes are 1.6 s apart, so the second goes out on a new one.
   */
  @Test
  void aProbeConnectionIsReplacedBeforeTheUpstreamsKeepAliveTimeout() throws Exception {
    try (FastPathTest.RawUpstream upstream = new FastPathTest.RawUpstream(
        java.util.Collections.nCopies(200, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 0\r\n\r\n"))) {
      h.start(1, config(healthCheck("1s").replace("100ms", "1600ms"), "\"127.0.0.1:" + upstream.port() + "\""));
      long tookMs = within(4_000, () -> upstream.connections() == 2); // the second probe, on a new connection
      assertThat(tookMs).isGreaterThan(1_000);
      assertThat(h.runtime.snapshot().cluster("app").balancer().snapshot().endpoints().get(0).healthCheck())
          .isEqualTo("healthy");
    }
  }

  @Test
  void aProbeWithoutAnswerIsATimeoutAndCountsTowardsTheUnhealthyThreshold() {
    Upstream a = upstream("a");
    Upstream b = upstream("b");
    h.start(1, config(healthCheck("300ms"), a, b));
    within(10_000, () -> "healthy".equals(endpoint(b).healthCheck()));
    traffic(2);
    b.hang = true;
    within(5_000, () -> "unhealthy".equals(endpoint(b).healthCheck()));
    // unhealthy at the second timeout in a row (unhealthy_threshold 2); later ones may already have added up
    assertThat(endpoint(b).avoidedReason()).matches("failed active health check: [2-9] consecutive failures \\(last: timeout\\)");
    assertThat(traffic(6)).containsOnlyKeys("a");
  }

  @Test
  void removingTheHealthCheckOrTheClusterStopsTheProbesAndClosesTheirConnections() {
    Upstream a = upstream("a");
    Upstream b = upstream("b");
    h.start(1, config(HEALTH_CHECK, a, b));
    within(10_000, () -> "healthy".equals(endpoint(b).healthCheck()));
    b.health.set(503);
    within(5_000, () -> "unhealthy".equals(endpoint(b).healthCheck()));
    assertThat(b.probeConnections).isNotEmpty();

    h.start(2, config("", a, b));
    assertThat(endpoint(b).healthCheck()).isNull();
    within(5_000, () -> a.probeConnections.isEmpty() && b.probeConnections.isEmpty());
    int probesAfterStop = a.probes.get() + b.probes.get();
    traffic(4);
    sleep(400);
    assertThat(a.probes.get() + b.probes.get()).isEqualTo(probesAfterStop);
    // without health checking the data path decides again: b answers 200 and gets its share
    assertThat(traffic(4)).containsEntry("a", 2).containsEntry("b", 2);

    // and adding it back on reload starts probing again, endpoints pending until their first check
    h.start(3, config(HEALTH_CHECK, a, b));
    within(5_000, () -> "unhealthy".equals(endpoint(b).healthCheck()));
    assertThat(traffic(4)).containsOnlyKeys("a");

    // the cluster itself removed on reload: its prober stops too
    h.start(4, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: other } ]
        clusters: [ { name: other, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(a.port));
    within(5_000, () -> a.probeConnections.isEmpty() && b.probeConnections.isEmpty());
    int probesAfterRemoval = a.probes.get() + b.probes.get();
    sleep(400);
    assertThat(a.probes.get() + b.probes.get()).isEqualTo(probesAfterRemoval);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void tlsClustersAreProbedOverTls() throws Exception {
    Path[] pem = ProxyHarness.selfSignedCertificate(dir);
    Path cert = pem[0];
    Path key = pem[1];
    AtomicInteger health = new AtomicInteger(200);
    Set<Boolean> probedOverTls = ConcurrentHashMap.newKeySet();
    HttpServer server = await(h.vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())))
        .requestHandler(req -> {
          if (req.path().equals("/healthz")) {
            probedOverTls.add(req.isSSL());
            req.response().setStatusCode(health.get()).end();
          } else {
            req.response().end("secure");
          }
        }).listen(0, "127.0.0.1"));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters:
          - name: app
            endpoints: [ "127.0.0.1:%d" ]
            tls: { verify: false }
        """.formatted(server.actualPort()) + HEALTH_CHECK);
    String address = "127.0.0.1:" + server.actualPort();
    java.util.function.Supplier<String> status = () ->
        h.runtime.snapshot().cluster("app").balancer().healthCheckStatus(address).orElseThrow().status().id();
    within(10_000, () -> "healthy".equals(status.get()));
    assertThat(h.send(HttpMethod.GET, "/x", null, null).body()).isEqualTo("secure");
    health.set(503);
    within(5_000, () -> "unhealthy".equals(status.get()));
    assertThat(probedOverTls).containsExactly(true);
  }
}
