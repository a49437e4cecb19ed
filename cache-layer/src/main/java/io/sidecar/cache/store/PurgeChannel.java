package io.sidecar.cache.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * Subscribes to the purge channel on a dedicated Redis connection and re-subscribes after any loss of it.
 * Messages are {@code <instance id>\n<kind>\n<value>}; messages this instance published are ignored.
 */
public final class PurgeChannel {

  private final Vertx vertx;
  private final Redis client;
  private final String channel;
  private final String instanceId;
  private final BiConsumer<String, String> onRemotePurge;
  private final long reconnectMs;
  private final Promise<Void> firstSubscribe = Promise.promise();
  private volatile RedisConnection connection;
  private volatile boolean closed;

  /**
   * @param onRemotePurge called with (kind, value) for purges published by other instances
   */
  public PurgeChannel(Vertx vertx, RedisOptions options, String channel, String instanceId,
      BiConsumer<String, String> onRemotePurge, long reconnectMs) {
    this.vertx = vertx;
    this.client = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    this.channel = channel;
    this.instanceId = instanceId;
    this.onRemotePurge = onRemotePurge;
    this.reconnectMs = reconnectMs;
  }

  public String channel() {
    return channel;
  }

  public static String message(String instanceId, String kind, String value) {
    return instanceId + "\n" + kind + "\n" + value;
  }

  /** Completes when subscribed the first time (keeps trying in the background either way). */
  public Future<Void> start() {
    connect();
    return firstSubscribe.future();
  }

  public boolean subscribed() {
    return connection != null;
  }

  private void connect() {
    if (closed) {
      return;
    }
    client.connect().compose(conn -> {
      conn.handler(this::onMessage);
      conn.exceptionHandler(t -> lost(conn));
      conn.endHandler(v -> lost(conn));
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).map(conn);
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        connection = ar.result();
        firstSubscribe.tryComplete();
      } else {
        retry();
      }
    });
  }

  private void lost(RedisConnection conn) {
    if (connection == conn) {
      connection = null;
      conn.close();
      retry();
    }
  }

  private void retry() {
    if (!closed) {
      vertx.setTimer(reconnectMs, t -> connect());
    }
  }

  private void onMessage(Response r) {
    if (r == null || r.size() < 3 || !"message".equalsIgnoreCase(r.get(0).toString())) {
      return;
    }
    String payload = r.get(2).toString(StandardCharsets.UTF_8);
    String[] parts = payload.split("\n", 3);
    if (parts.length < 3 || parts[0].equals(instanceId)) {
      return;
    }
    onRemotePurge.accept(parts[1], parts[2]);
  }

  public Future<Void> close() {
    closed = true;
    RedisConnection c = connection;
    connection = null;
    if (c != null) {
      c.close();
    }
    return client.close();
  }
}
