package io.sidecar.predictor.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis dies under a running exchange and comes back: publishing fails quietly, the peer ages out, and after
 * the restart the subscriber reconnects and snapshots flow again. Uses a private redis-server on a free port.
 */
class RedisOutageTest {
    private final Vertx vertx = Vertx.vertx();
    private Process redis;

    @AfterEach
    void cleanUp() throws Exception {
        if (redis != null) {
            redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process startRedis(int port) throws Exception {
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "predictor-redis-" + port + ".log"))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("redis-server did not start on " + port);
    }

    @Test
    void survivesARedisRestart() throws Exception {
        int port = freePort();
        redis = startRedis(port);
        URI uri = URI.create("redis://127.0.0.1:" + port);
        Duration forget = Duration.ofMillis(600);
        PeerTable tableA = new PeerTable("svc", "a", forget, Clock.systemUTC());
        PeerTable tableB = new PeerTable("svc", "b", forget, Clock.systemUTC());
        AtomicLong seq = new AtomicLong();
        RedisPeerExchange a = new RedisPeerExchange(vertx, uri, Duration.ofMillis(100), tableA,
                () -> new PeerSnapshot("svc", "a", System.currentTimeMillis(), seq.incrementAndGet(), 1, 0, 1, 1, 0,
                        0, Map.of()));
        RedisPeerExchange b = new RedisPeerExchange(vertx, uri, Duration.ofMillis(100), tableB,
                () -> new PeerSnapshot("svc", "b", System.currentTimeMillis(), seq.incrementAndGet(), 2, 0, 1, 1, 0,
                        0, Map.of()));
        a.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        b.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        RedisPeerExchangeTest.await(() -> tableA.peers().size() == 1, 5_000);

        redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        RedisPeerExchangeTest.await(() -> tableA.peers().isEmpty(), 5_000);
        RedisPeerExchangeTest.await(() -> b.publishFailures() > 0, 5_000);

        redis = startRedis(port);
        RedisPeerExchangeTest.await(() -> tableA.peers().size() == 1 && tableB.peers().size() == 1, 20_000);
        a.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        b.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
