package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code sidecar_downstream_connections_total} and {@code _active} per listener, through real sockets. */
class DownstreamConnectionsTest {
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private double accepted() {
    return counter("sidecar_downstream_connections", "in");
  }

  private double counter(String name, String listener) {
    var c = h.registry.find(name).tag("listener", listener).counter();
    return c == null ? 0 : c.count();
  }

  private double active() {
    var g = h.registry.find("sidecar_downstream_connections_active").tag("listener", "in").gauge();
    return g == null ? -1 : g.value();
  }

  /** Waits (5 s at most) for {@code value} to reach {@code expected}: a close is counted when the loop sees it. */
  private static void await(DoubleSupplier value, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (value.getAsDouble() != expected && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(value.getAsDouble()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fast_path: false"})
  void everyAcceptedConnectionIsCountedServedOrSilentAndLeavesTheGaugeWhenClosed(String server) throws Exception {
    int upstream = h.upstream(req -> req.response().end("ok"));
    h.start(1, "server: { " + server + " }\n" + ProxyHarness.singleRoute(upstream, "    timeout: 2s\n"));
    List<RawHttpClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) clients.add(new RawHttpClient(h.proxyPort));
      assertThat(clients.get(0).exchange("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      await(this::accepted, 3);
      await(this::active, 3);
    } finally {
      for (RawHttpClient client : clients) client.close();
    }
    await(this::active, 0);
    try (RawHttpClient once = new RawHttpClient(h.proxyPort)) {
      assertThat(once.exchange("GET /api/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
      assertThat(once.atEndOfStream()).isTrue();
    }
    await(this::accepted, 4);
    await(this::active, 0); // closed by the sidecar this time
  }

  /**
   * {@code server.max_connections} counts over every listener: one more is closed as soon as it is accepted (and
   * counted as an overflow, not as accepted); once one closes, a new one is served.
   */
  @org.junit.jupiter.api.Test
  void overMaxConnectionsANewConnectionIsClosedAtOnceUntilOneCloses() throws Exception {
    int upstream = h.upstream(req -> req.response().end("ok"));
    int second = ProxyHarness.freePort();
    h.start(1, """
        server: { max_connections: 3 }
        listeners:
          - { name: in, address: "127.0.0.1:{PROXY}" }
          - { name: other, address: "127.0.0.1:%d" }
        routes:
          - { name: r, listener: in, cluster: app, timeout: 2s }
          - { name: o, listener: other, cluster: app, timeout: 2s }
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(second, upstream));
    List<RawHttpClient> clients = new ArrayList<>();
    try {
      clients.add(new RawHttpClient(h.proxyPort));
      clients.add(new RawHttpClient(h.proxyPort));
      clients.add(new RawHttpClient(second));
      for (RawHttpClient client : clients) {
        assertThat(client.exchange("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      }
      for (int port : new int[] {h.proxyPort, second}) {
        try (RawHttpClient over = new RawHttpClient(port)) {
          assertThat(over.atEndOfStream()).as("closed at once, without an answer").isTrue();
        }
      }
      assertThat(counter("sidecar_downstream_connections_overflow", "in")).isEqualTo(1.0);
      assertThat(counter("sidecar_downstream_connections_overflow", "other")).isEqualTo(1.0);
      assertThat(accepted()).isEqualTo(2.0);
      clients.remove(0).close();
      await(this::active, 1);
      try (RawHttpClient next = new RawHttpClient(h.proxyPort)) {
        assertThat(next.exchange("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
      }
      assertThat(clients.get(0).exchange("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").status())
          .as("the connections it has are served meanwhile").isEqualTo(200);
    } finally {
      for (RawHttpClient client : clients) client.close();
    }
  }

  @org.junit.jupiter.api.Test
  void twoListenersOnOnePortAreToldApartByAddressAndBothTakeFirstRequestsOnTheByteLevelPath() throws Exception {
    int upstream = h.upstream(req -> req.response().end(req.path()));
    int port = ProxyHarness.freePort();
    h.start(1, """
        listeners:
          - { name: one, address: "127.0.0.1:%d" }
          - { name: two, address: "127.0.0.2:%d" }
        routes:
          - { name: r1, listener: one, match: { path_prefix: /one/ }, cluster: app, timeout: 2s }
          - { name: r2, listener: two, match: { path_prefix: /two/ }, cluster: app, timeout: 2s }
        clusters:
          - { name: app, endpoints: [ "127.0.0.1:%d" ] }
        """.formatted(port, port, upstream));
    for (String[] listener : new String[][] {{"one", "127.0.0.1"}, {"two", "127.0.0.2"}}) {
      try (RawHttpClient client = new RawHttpClient(listener[1], port)) {
        String path = "/" + listener[0] + "/x";
        assertThat(client.exchange("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").body()).isEqualTo(path);
      }
      assertThat(counter("sidecar_downstream_connections", listener[0])).as(listener[0]).isEqualTo(1.0);
      assertThat(counter("sidecar_fast_path_requests", listener[0])).as(listener[0]).isEqualTo(1.0);
      assertThat(counter("sidecar_fast_path_handovers", listener[0])).as(listener[0]).isZero();
    }
  }
}
