package io.sidecar.predictor.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two sidecars exchange snapshots through the real local Redis; a silent one is dropped. */
class RedisPeerExchangeTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static URI redisUri() {
        String host = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("REDIS_PORT", "6379");
        return URI.create("redis://" + host + ":" + port);
    }

    static void await(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeoutMs + " ms");
            }
            Thread.sleep(20);
        }
    }

    private RedisPeerExchange exchange(String service, String id, double rate, PeerTable table) {
        AtomicLong seq = new AtomicLong();
        return new RedisPeerExchange(vertx, redisUri(), Duration.ofMillis(100), table,
                () -> new PeerSnapshot(service, id, System.currentTimeMillis(), seq.incrementAndGet(), rate, 2, 10,
                        50, 0.0, 0.2, Map.of()));
    }

    @Test
    void twoInstancesSeeEachOtherAndASilentPeerIsDropped() throws Exception {
        String service = "test-" + Long.toHexString(System.nanoTime());
        Duration forget = Duration.ofMillis(600);
        PeerTable tableA = new PeerTable(service, "a", forget, Clock.systemUTC());
        PeerTable tableB = new PeerTable(service, "b", forget, Clock.systemUTC());
        RedisPeerExchange a = exchange(service, "a", 10, tableA);
        RedisPeerExchange b = exchange(service, "b", 32, tableB);
        a.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        b.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        await(() -> tableA.peers().size() == 1 && tableB.peers().size() == 1, 5_000);
        assertThat(tableA.peers().get(0).instance()).isEqualTo("b");
        assertThat(tableA.peers().get(0).rate()).isEqualTo(32.0);
        assertThat(tableB.peers().get(0).instance()).isEqualTo("a");
        assertThat(tableA.view(new PeerSnapshot(service, "a", 0, 0, 10, 2, 10, 50, 0, 0, Map.of())).totalRate())
                .isEqualTo(42.0);
        long seenBefore = tableA.peers().get(0).seq();
        await(() -> !tableA.peers().isEmpty() && tableA.peers().get(0).seq() > seenBefore + 2, 5_000);

        b.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        await(() -> tableA.peers().isEmpty(), 5_000);
        assertThat(a.received()).isGreaterThan(3);
        assertThat(a.publishFailures()).isZero();
        a.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
