package io.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.balancer.PeerLoad;
import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import io.sidecar.config.HostPort;
import io.sidecar.config.SidecarConfig;
import io.sidecar.predictor.peers.PeerSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: upstream instances' own sidecars publish load snapshots over the real Redis; the calling sidecar's
 * predictive balancer receives them for the matching endpoint.
 */
class UpstreamPeerFeedTest {
  private static final String REDIS = "redis://" + System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1") + ":"
      + System.getenv().getOrDefault("REDIS_PORT", "6379");
  private final ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get), List.of());
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client = vertx.createHttpClient();
  private final io.vertx.core.Context clientContext = vertx.getOrCreateContext();
  private Sidecar caller;
  private Sidecar upstream;
  @TempDir Path dir;

  @AfterEach
  void stop() {
    if (caller != null) await(caller.shutdown());
    if (upstream != null) await(upstream.shutdown());
    await(vertx.close());
  }

  @Test
  void conversionKeepsTheSnapshotAgeAndDropsValuesOutOfRange() {
    UpstreamPeerFeed feed = new UpstreamPeerFeed(() -> null, () -> 5_000_000_000L, () -> 1_000_000L);
    PeerSnapshot s = new PeerSnapshot("catalog", "c-0", 1_000_000L - 250, 1, 10, 4, 12.5, 80, 1.7, -0.2, Map.of(),
        "10.0.0.7:15001");
    PeerLoad load = feed.toPeerLoad(s);
    assertThat(load.inFlight()).isEqualTo(4);
    assertThat(load.p50Ms()).isEqualTo(12.5);
    assertThat(load.p99Ms()).isEqualTo(80);
    assertThat(load.errorRate()).isNaN();
    assertThat(load.cpu()).isNaN();
    assertThat(load.observedAtNanos()).isEqualTo(5_000_000_000L - 250_000_000L);
    PeerSnapshot fromTheFuture = new PeerSnapshot("catalog", "c-0", 1_000_000L + 900, 2, 10, 1, Double.NaN, Double.NaN,
        0.1, 0.5, Map.of(), "10.0.0.7:15001");
    assertThat(feed.toPeerLoad(fromTheFuture).observedAtNanos()).isEqualTo(5_000_000_000L);
  }

  @Test
  void aSnapshotArrivingBeforeTheFirstConfigIsAppliedIsDropped() {
    // Redis can deliver a peer's snapshot before the data plane has a routing snapshot; the subscriber must not fail.
    UpstreamPeerFeed feed = new UpstreamPeerFeed(() -> null, () -> 5_000_000_000L, () -> 1_000_000L);
    feed.accept(new PeerSnapshot("catalog", "c-0", 1_000_000L, 2, 10, 1, Double.NaN, Double.NaN, 0.1, 0.5, Map.of(),
        "10.0.0.7:15001"));
  }

  @Test
  void theAdvertisedAddressDefaultsToAConcreteInboundListener() throws Exception {
    String base = """
        routes: [ { name: r, listener: inbound, cluster: c } ]
        clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]
        """;
    SidecarConfig concrete = loader.parse(base + "listeners: [ { name: inbound, address: 10.1.2.3:15001 } ]\n");
    assertThat(UpstreamPeerFeed.advertisedAddress(concrete)).isEqualTo(new HostPort("10.1.2.3", 15001));
    SidecarConfig wildcard = loader.parse(base + "listeners: [ { name: inbound, address: 0.0.0.0:15001 } ]\n");
    assertThat(UpstreamPeerFeed.advertisedAddress(wildcard)).isNull();
    SidecarConfig explicit = loader.parse(base + "listeners: [ { name: inbound, address: 0.0.0.0:15001 } ]\n"
        + "predictor: { peers: { advertise: 10.9.9.9:15001 } }\n");
    assertThat(UpstreamPeerFeed.advertisedAddress(explicit)).isEqualTo(new HostPort("10.9.9.9", 15001));
    String twoClusters = base.replace("clusters: [ { name: c, endpoints: [ 127.0.0.1:8080 ] } ]",
        "clusters: [ { name: c, service: catalog, endpoints: [ 127.0.0.1:8080 ] }, { name: d, endpoints: [ 127.0.0.1:8081 ] } ]");
    assertThat(UpstreamPeerFeed.services(loader.parse(twoClusters + "listeners: [ { name: inbound, address: 0.0.0.0:1 } ]\n")))
        .containsExactly("catalog", "d");
  }

  @Test
  void anUpstreamSidecarsSnapshotsReachTheCallersBalancer() throws Exception {
    String service = "catalog-" + UUID.randomUUID().toString().substring(0, 8);
    int app = await(vertx.createHttpServer().requestHandler(req -> vertx.setTimer(5, id -> req.response().end("app")))
        .listen(0, "127.0.0.1")).actualPort();
    int plain = await(vertx.createHttpServer().requestHandler(req -> req.response().end("plain"))
        .listen(0, "127.0.0.1")).actualPort();
    int upstreamInbound = freePort();
    upstream = start("upstream.yaml", """
        service: %s
        instance: catalog-0
        admin: { address: "127.0.0.1:%d" }
        listeners: [ { name: inbound, address: "127.0.0.1:%d" } ]
        routes: [ { name: local, listener: inbound, cluster: local } ]
        clusters: [ { name: local, endpoints: [ "127.0.0.1:%d" ] } ]
        predictor: { peers: { redis: "%s", publish_every: 100ms } }
        """.formatted(service, freePort(), upstreamInbound, app, REDIS));
    int callerAdmin = freePort();
    int callerOut = freePort();
    caller = start("caller.yaml", """
        service: checkout-%s
        instance: checkout-0
        admin: { address: "127.0.0.1:%d" }
        listeners: [ { name: outbound, address: "127.0.0.1:%d" } ]
        routes: [ { name: catalog-api, listener: outbound, cluster: catalog } ]
        clusters:
          - { name: catalog, service: %s, balancer: predictive,
              endpoints: [ "127.0.0.1:%d", "127.0.0.1:%d" ] }
        predictor: { peers: { redis: "%s", publish_every: 100ms } }
        """.formatted(service, callerAdmin, callerOut, service, upstreamInbound, plain, REDIS));
    // Traffic the upstream instance serves (from anyone) shows in its snapshots: rate, latency.
    for (int i = 0; i < 20; i++) assertThat(get(upstreamInbound, "/")).isEqualTo("app");

    String viaSidecar = "127.0.0.1:" + upstreamInbound;
    JsonObject reported = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      JsonObject cluster = new JsonObject(getBody(callerAdmin, "/clusters/catalog"));
      reported = endpoint(cluster, viaSidecar);
      if (reported.getValue("peer_in_flight") != null && reported.getValue("peer_p50_ms") != null) break;
      Thread.sleep(100);
    }
    assertThat(reported.getValue("peer_in_flight")).as("peer report for %s", viaSidecar).isNotNull();
    assertThat(reported.getDouble("peer_p50_ms")).isGreaterThan(0);
    assertThat(reported.getDouble("peer_age_ms")).isLessThan(3000);
    JsonObject cluster = new JsonObject(getBody(callerAdmin, "/clusters/catalog"));
    assertThat(endpoint(cluster, "127.0.0.1:" + plain).getValue("peer_in_flight"))
        .as("an endpoint without its own sidecar has no report").isNull();
  }

  private static JsonObject endpoint(JsonObject cluster, String address) {
    return cluster.getJsonArray("endpoints").stream().map(JsonObject.class::cast)
        .filter(e -> address.equals(e.getString("address"))).findFirst().orElseThrow();
  }

  private Sidecar start(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return await(Sidecar.start(ConfigSource.file(file), loader));
  }

  private String get(int port, String path) {
    return getBody(port, path);
  }

  private String getBody(int port, String path) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    io.vertx.core.Promise<String> promise = io.vertx.core.Promise.promise();
    clientContext.runOnContext(v -> client.request(options).compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> b.toString())).onComplete(promise));
    return await(promise.future());
  }

  private static <T> T await(Future<T> f) {
    return SidecarTest.await(f);
  }

  private static int freePort() {
    return SidecarTest.freePort();
  }
}
