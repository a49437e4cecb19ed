package io.sidecar.predictor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.config.PeersConfig;
import io.sidecar.predictor.config.PredictorConfig;
import io.sidecar.predictor.config.StorageConfig;
import io.sidecar.predictor.history.PostgresHistoryStore;
import io.sidecar.predictor.signals.TrafficSignals;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PredictorRuntimeTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(50);
        }
    }

    /**
     * A slow tick (here one that waits for a signal's lock the test holds for 2 s) must not stall the event loop:
     * with one event loop, a 20 ms timer on it keeps firing meanwhile. When the tick ran on the event loop, the
     * timer stopped for as long as the tick took (about 1 s here).
     */
    @Test
    void aSlowTickDoesNotStallTheEventLoop() throws Exception {
        Vertx oneLoop = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
        try {
            PredictorConfig config = new PredictorConfig("svc", "i-0", PeersConfig.LOCAL_ONLY, null, null, null);
            PredictorRuntime rt = PredictorRuntime.start(oneLoop, config, null, Clock.systemUTC())
                    .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            TrafficSignals api = rt.predictor().signals().route("api");
            java.util.concurrent.atomic.AtomicLong lastFired = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
            java.util.concurrent.atomic.AtomicLong longestGap = new java.util.concurrent.atomic.AtomicLong();
            oneLoop.setPeriodic(20, id -> {
                long now = System.nanoTime();
                longestGap.accumulateAndGet(now - lastFired.getAndSet(now), Math::max);
            });
            synchronized (api) { // TrafficSignals.tick is synchronized: the first tick (after 1 s) waits here
                Thread.sleep(200);
                longestGap.set(0);
                Thread.sleep(1_800);
            }
            Thread.sleep(100);
            assertThat(TimeUnit.NANOSECONDS.toMillis(longestGap.get()))
                    .as("longest pause of a 20 ms timer on the only event loop while a tick waited ~1 s")
                    .isLessThan(500);
            rt.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            oneLoop.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsAndTicksWithPostgresAndRedisUnreachable() throws Exception {
        PredictorConfig config = new PredictorConfig("svc", "i-0",
                PeersConfig.redis(URI.create("redis://127.0.0.1:" + deadPort()), Duration.ofMillis(200)), null,
                null, null);
        StorageConfig storage = StorageConfig.postgres(
                URI.create("postgresql://postgres@127.0.0.1:" + deadPort() + "/test"), "predictor_runtime_test");
        PredictorRuntime rt = PredictorRuntime.start(vertx, config, storage, Clock.systemUTC())
                .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        TrafficSignals api = rt.predictor().signals().route("api");
        api.begin();
        api.record(5_000_000, 200, null, 10);
        await(() -> api.snapshot().last10s().requests() == 1);
        assertThat(rt.history()).isInstanceOf(PostgresHistoryStore.class);
        rt.history().appendAudit(new io.sidecar.predictor.history.AuditEntry(java.time.Instant.now(), "test",
                "POST /faults", "f1", "{}"));
        assertThat(rt.history().pending()).isGreaterThanOrEqualTo(1); // buffered, not lost, not blocking
        rt.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void startsWithRealRedisAndPostgres() throws Exception {
        String host = System.getenv().getOrDefault("PG_HOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("PG_PORT", "5432");
        String schema = "predictor_rt_" + Long.toHexString(System.nanoTime());
        PredictorConfig config = new PredictorConfig("svc-" + schema, "i-0",
                PeersConfig.redis(URI.create("redis://" + System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1") + ":"
                        + System.getenv().getOrDefault("REDIS_PORT", "6379")), Duration.ofMillis(200)),
                null, null, null);
        StorageConfig storage = StorageConfig.postgres(URI.create("postgresql://postgres@" + host + ":" + port
                + "/test"), schema);
        PredictorRuntime rt = PredictorRuntime.start(vertx, config, storage, Clock.systemUTC())
                .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        PostgresHistoryStore pg = (PostgresHistoryStore) rt.history();
        long tables = pg.pool().query("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                + schema + "'").execute().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                .iterator().next().getLong(0);
        assertThat(tables).isEqualTo(6);
        pg.pool().query("DROP SCHEMA " + schema + " CASCADE").execute().toCompletionStage().toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        rt.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
