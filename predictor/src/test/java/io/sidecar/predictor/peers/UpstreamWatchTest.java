package io.sidecar.predictor.peers;

import static io.sidecar.predictor.peers.RedisPeerExchangeTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A calling sidecar watches the instances of the service it calls, through the real local Redis and by polling.
 * Service names carry a random suffix: the Redis server is shared with other test runs that may publish "catalog".
 */
class UpstreamWatchTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private RedisPeerExchange publisher(String service, String id, String addr, Duration forget) {
        AtomicLong seq = new AtomicLong();
        return new RedisPeerExchange(vertx, RedisPeerExchangeTest.redisUri(), Duration.ofMillis(100),
                new PeerTable(service, id, forget, Clock.systemUTC()),
                () -> new PeerSnapshot(service, id, System.currentTimeMillis(), seq.incrementAndGet(), 7, 1, 3, 9,
                        0.0, 0.1, Map.of(), addr));
    }

    @Test
    void watcherGetsBothCatalogInstancesWithAddressesAndForgetsOneThatStops() throws Exception {
        String nonce = Long.toHexString(System.nanoTime());
        String catalog = "catalog-" + nonce;
        String frontend = "frontend-" + nonce;
        Duration forget = Duration.ofMillis(600);
        RedisPeerExchange c0 = publisher(catalog, "catalog-0", "10.0.0.7:15001", forget);
        RedisPeerExchange c1 = publisher(catalog, "catalog-1", "10.0.0.8:15001", forget);
        PeerTable frontendTable = new PeerTable(frontend, "frontend-0", forget, Clock.systemUTC());
        RedisPeerExchange watcher = new RedisPeerExchange(vertx, RedisPeerExchangeTest.redisUri(),
                Duration.ofMillis(100), frontendTable, () -> new PeerSnapshot(frontend, "frontend-0",
                        System.currentTimeMillis(), 1, 0, 0, Double.NaN, Double.NaN, 0, 0, Map.of()));
        Map<String, String> addrs = new ConcurrentHashMap<>();
        Set<String> forgotten = ConcurrentHashMap.newKeySet();
        UpstreamPeers upstream = watcher.watchServices(Set.of(catalog), forget,
                s -> addrs.put(s.instance(), s.addr()), s -> forgotten.add(s.instance()));
        get(watcher.start());
        get(c0.start());
        get(c1.start());

        await(() -> upstream.peers(catalog).size() == 2, 5_000);
        assertThat(addrs).containsEntry("catalog-0", "10.0.0.7:15001").containsEntry("catalog-1", "10.0.0.8:15001");
        assertThat(upstream.peers(catalog)).extracting(PeerSnapshot::addr)
                .containsExactly("10.0.0.7:15001", "10.0.0.8:15001");
        // the own-service table is not disturbed, and the publishers still see each other as peers
        assertThat(frontendTable.peers()).isEmpty();
        assertThat(watcher.received()).isZero();
        await(() -> c0.upstream() == null && !tablePeers(c0).isEmpty(), 5_000);

        get(c1.stop());
        await(() -> forgotten.contains("catalog-1"), 5_000);
        assertThat(upstream.peers(catalog)).extracting(PeerSnapshot::instance).containsExactly("catalog-0");
        assertThat(forgotten).containsExactly("catalog-1");
        get(c0.stop());
        get(watcher.stop());
    }

    private static List<PeerSnapshot> tablePeers(RedisPeerExchange e) {
        return e.table().peers();
    }

    @Test
    void watchingAfterStartSubscribesTheRunningConnection() throws Exception {
        String nonce = Long.toHexString(System.nanoTime());
        String catalog = "catalog-" + nonce;
        Duration forget = Duration.ofMillis(600);
        RedisPeerExchange c0 = publisher(catalog, "catalog-0", "10.0.0.7:15001", forget);
        RedisPeerExchange watcher = publisher("frontend-" + nonce, "frontend-0", null, forget);
        get(watcher.start());
        get(c0.start());
        io.vertx.core.Promise<UpstreamPeers> watching = io.vertx.core.Promise.promise();
        vertx.runOnContext(x -> watching.complete(watcher.watchServices(Set.of(catalog), s -> { })));
        UpstreamPeers upstream = get(watching.future());
        await(() -> upstream.peers(catalog).size() == 1, 5_000);
        assertThat(upstream.peers(catalog).get(0).addr()).isEqualTo("10.0.0.7:15001");
        get(c0.stop());
        get(watcher.stop());
    }

    @Test
    void staticModePollsUpstreamAdminUrlsAndForgetsOneThatStopsAnswering() throws Exception {
        HttpServer a = snapshotServer("catalog-0", "10.0.0.7:15001");
        HttpServer b = snapshotServer("catalog-1", "10.0.0.8:15001");
        Set<String> forgotten = ConcurrentHashMap.newKeySet();
        UpstreamPeers upstream = new UpstreamPeers(Set.of("catalog"), Duration.ofMillis(400), Clock.systemUTC(),
                s -> { }, s -> forgotten.add(s.instance()));
        HttpPeerPoller poller = HttpPeerPoller.watch(vertx, List.of(URI.create("http://127.0.0.1:" + a.actualPort()),
                URI.create("http://127.0.0.1:" + b.actualPort())), Duration.ofMillis(100), upstream);
        poller.start(); // polls from its timer, on a Vert.x context
        await(() -> upstream.peers("catalog").size() == 2, 5_000);
        assertThat(upstream.peers("catalog")).as("last error %s", poller.lastError()).extracting(PeerSnapshot::addr)
                .containsExactly("10.0.0.7:15001", "10.0.0.8:15001");
        get(b.close());
        await(() -> forgotten.contains("catalog-1"), 5_000);
        assertThat(upstream.peers("catalog")).extracting(PeerSnapshot::instance).containsExactly("catalog-0");
        get(poller.stop());
        get(a.close());
    }

    /** Serves GET /signals/snapshot like a sidecar's control API: a fresh snapshot (next seq) per request. */
    private HttpServer snapshotServer(String id, String addr) throws Exception {
        AtomicLong seq = new AtomicLong();
        return get(vertx.createHttpServer().requestHandler(req -> req.response()
                .putHeader("content-type", "application/json").end(PeerSnapshotJson.encode(new PeerSnapshot(
                        "catalog", id, System.currentTimeMillis(), seq.incrementAndGet(), 5, 0, 1, 2, 0, 0, Map.of(),
                        addr))))
                .listen(0, "127.0.0.1"));
    }
}
