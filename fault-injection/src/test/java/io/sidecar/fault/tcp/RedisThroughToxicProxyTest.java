package io.sidecar.fault.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.SeededRandom;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The required proof: a toxic on a TCP proxy in front of the real local Redis makes a real Vert.x
 * Redis client time out, and the client recovers when the toxic is removed.
 */
class RedisThroughToxicProxyTest {

  private static final String REDIS_HOST = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
  private static final int REDIS_PORT = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));
  private static final long CLIENT_TIMEOUT_MS = 300;

  private Vertx vertx;
  private TcpProxies proxies;
  private Redis redis;

  @BeforeEach
  void setUp() throws Exception {
    vertx = io.sidecar.fault.TestVertx.onProductionTransport();
    proxies = new TcpProxies(vertx, new SeededRandom(1), new InMemoryAuditLog(), Clock.systemUTC());
    TcpProxy proxy = proxies.create(
        new TcpProxySpec("redis", "127.0.0.1", 0, REDIS_HOST, REDIS_PORT, List.of()), "test").await(30, TimeUnit.SECONDS);
    redis = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString("redis://127.0.0.1:" + proxy.listenPort()).setMaxPoolSize(4).setMaxPoolWaiting(100));
  }

  @AfterEach
  void tearDown() throws Exception {
    redis.close();
    proxies.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private Future<Response> ping() {
    return redis.send(Request.cmd(Command.PING)).timeout(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  @Test
  void latencyToxicMakesTheClientTimeOutAndRemovalRecovers() throws Exception {
    assertThat(warmPing()).isEqualTo("PONG");

    proxies.addToxic("redis", ToxicSpec.latency("slow-redis", ToxicStream.DOWNSTREAM, Duration.ofSeconds(1), Duration.ZERO), "test");
    assertThatThrownBy(() -> ping().await(30, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

    assertThat(proxies.removeToxic("redis", "slow-redis", "test")).isTrue();
    // Replies already in the 1 s pipe still arrive (in order), so allow the pipe to empty, bounded.
    assertThat(pingSucceedsWithin(Duration.ofSeconds(30))).isTrue();
  }

  @Test
  void timeoutToxicClosesTheConnectionAndANewOneWorksAfterRemoval() throws Exception {
    assertThat(warmPing()).isEqualTo("PONG");
    proxies.addToxic("redis", ToxicSpec.of("blackhole", ToxicType.TIMEOUT, ToxicStream.UPSTREAM)
        .withTimeout(Duration.ofMillis(500)), "test");
    assertThatThrownBy(() -> ping().await(30, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
    proxies.removeToxic("redis", "blackhole", "test");
    assertThat(pingSucceedsWithin(Duration.ofSeconds(30))).isTrue();
  }

  /** The first command opens the connection (and the client's handshake): no tight timeout here. */
  private String warmPing() throws Exception {
    return redis.send(Request.cmd(Command.PING)).await(30, TimeUnit.SECONDS).toString();
  }

  private boolean pingSucceedsWithin(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      try {
        if ("PONG".equals(ping().await(30, TimeUnit.SECONDS).toString())) return true;
      } catch (Exception e) {
        Thread.sleep(50);
      }
    }
    return false;
  }
}
