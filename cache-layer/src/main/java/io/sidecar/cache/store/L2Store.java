package io.sidecar.cache.store;

import io.sidecar.cache.semantics.CacheKeys;
import io.sidecar.cache.semantics.ConsecutiveFailureBreaker;
import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.Vary;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The shared layer in Redis. Keys: {@code <prefix>e:<primary>} holds an entry or a Vary marker,
 * {@code <prefix>e:<primary>\u001d<generation>:<secondary>} holds a variant, {@code <prefix>t:<tag>} is the set of primary
 * keys with that tag. Every call goes through a breaker and a short timeout: a slow or absent Redis is a miss,
 * never an error or a wait beyond the timeout. The Vert.x Redis client reconnects by itself (every command
 * borrows a pooled connection and a new one is made when needed).
 */
public final class L2Store {

  private static final char VARIANT_SEPARATOR = '\u001d';
  private static final long PURGE_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final Redis redis;
  private final String prefix;
  private final long timeoutMs;
  private final ConsecutiveFailureBreaker breaker;

  public final LongAdder hits = new LongAdder();
  public final LongAdder misses = new LongAdder();
  public final LongAdder errors = new LongAdder();
  public final LongAdder skipped = new LongAdder();
  public final LongAdder writes = new LongAdder();
  public final LongAdder bytesRead = new LongAdder();
  public final LongAdder bytesWritten = new LongAdder();

  public L2Store(Vertx vertx, RedisOptions options, String prefix, long timeoutMs,
      ConsecutiveFailureBreaker breaker) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, options);
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.breaker = breaker;
  }

  /** Client options for a cache: short connect timeout, bounded pool and queue. */
  public static RedisOptions options(String uri, long timeoutMs) {
    return new RedisOptions().setConnectionString(uri).setMaxPoolSize(16).setMaxPoolWaiting(256)
        .setMaxWaitingHandlers(1024)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) Math.max(timeoutMs * 4, 200))
            .setTcpNoDelay(true).setTcpKeepAlive(true));
  }

  public ConsecutiveFailureBreaker breaker() {
    return breaker;
  }

  /** The matching variant or null; never fails. */
  public Future<StoredEntry> get(String primaryKey, HeaderFields requestHeaders) {
    if (!breaker.tryAcquire()) {
      skipped.increment();
      return Future.succeededFuture(null);
    }
    Promise<StoredEntry> out = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (out.tryComplete(null)) {
        errors.increment();
        breaker.onFailure();
      }
    });
    lookup(primaryKey, requestHeaders).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        if (out.tryComplete(ar.result())) {
          breaker.onSuccess();
          (ar.result() == null ? misses : hits).increment();
        }
      } else if (out.tryComplete(null)) {
        errors.increment();
        breaker.onFailure();
      }
    });
    return out.future();
  }

  private Future<StoredEntry> lookup(String primaryKey, HeaderFields requestHeaders) {
    return getBytes(entryKey(primaryKey)).compose(first -> {
      if (first == null) {
        return Future.succeededFuture(null);
      }
      Object decoded = decodeOrNull(first);
      if (decoded instanceof StoredEntry e) {
        return Future.succeededFuture(Vary.matches(e.varyKey(), requestHeaders) ? e : null);
      }
      if (decoded instanceof EntryCodec.VaryMarker m) {
        Map<String, String> secondary = secondaryFor(m.names(), requestHeaders);
        return getBytes(variantKey(primaryKey, m.generation(), secondary)).map(b -> {
          Object v = b == null ? null : decodeOrNull(b);
          return v instanceof StoredEntry e && Vary.matches(e.varyKey(), requestHeaders) ? e : null;
        });
      }
      return Future.succeededFuture(null);
    });
  }

  private static Map<String, String> secondaryFor(List<String> names, HeaderFields requestHeaders) {
    HeaderFields varyOnly = HeaderFields.of("Vary", String.join(", ", names));
    Map<String, String> key = Vary.secondaryKey(varyOnly, requestHeaders);
    return key == null ? Map.of() : key;
  }

  private Object decodeOrNull(Buffer b) {
    try {
      bytesRead.add(b.length());
      return EntryCodec.decode(b);
    } catch (IllegalArgumentException e) {
      errors.increment();
      return null;
    }
  }

  private Future<Buffer> getBytes(String key) {
    return redis.send(Request.cmd(Command.GET).arg(key)).map(r -> r == null ? null : r.toBuffer());
  }

  /** Stores an entry for {@code ttlMillis}; fire and forget (errors only count). */
  public void put(StoredEntry e, long ttlMillis) {
    if (ttlMillis <= 0 || !breaker.tryAcquire()) {
      skipped.increment();
      return;
    }
    Buffer value = EntryCodec.encode(e);
    String ttl = Long.toString(Math.max(1000, ttlMillis));
    Future<List<Request>> commands;
    if (e.varyKey().isEmpty()) {
      List<Request> batch = new ArrayList<>();
      batch.add(Request.cmd(Command.SET).arg(entryKey(e.primaryKey())).arg(value).arg("PX").arg(ttl));
      commands = Future.succeededFuture(batch);
    } else {
      commands = withTimeout(varyWrites(e, value, ttl), timeoutMs * 4);
    }
    commands.compose(batch -> {
      for (String tag : e.tags()) {
        String tagKey = prefix + "t:" + tag;
        batch.add(Request.cmd(Command.SADD).arg(tagKey).arg(e.primaryKey()));
        // keep the tag set as long as its longest-lived member (PEXPIRE NX/GT: Redis >= 7.0)
        batch.add(Request.cmd(Command.PEXPIRE).arg(tagKey).arg(ttl).arg("NX"));
        batch.add(Request.cmd(Command.PEXPIRE).arg(tagKey).arg(ttl).arg("GT"));
      }
      return withTimeout(redis.batch(batch), timeoutMs * 4);
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        writes.increment();
        bytesWritten.add(value.length());
        breaker.onSuccess();
      } else {
        errors.increment();
        breaker.onFailure();
      }
    });
  }

  /**
   * Creates the Vary marker if absent (SET NX GET, Redis >= 7.0) or reuses its generation, then writes the
   * variant under that generation.
   */
  private Future<List<Request>> varyWrites(StoredEntry e, Buffer value, String ttl) {
    List<String> names = new ArrayList<>(e.varyKey().keySet());
    String generation = Long.toHexString(ThreadLocalRandom.current().nextLong());
    Buffer marker = EntryCodec.encodeMarker(new EntryCodec.VaryMarker(generation, names));
    String markerKey = entryKey(e.primaryKey());
    return redis.send(Request.cmd(Command.SET).arg(markerKey).arg(marker).arg("NX").arg("GET").arg("PX").arg(ttl))
        .map(old -> {
          List<Request> batch = new ArrayList<>();
          String gen = generation;
          Object existing = old == null ? null : decodeOrNull(old.toBuffer());
          if (existing instanceof EntryCodec.VaryMarker m && m.names().equals(names)) {
            gen = m.generation();
            batch.add(Request.cmd(Command.PEXPIRE).arg(markerKey).arg(ttl).arg("GT"));
          } else if (old != null) {
            batch.add(Request.cmd(Command.SET).arg(markerKey).arg(marker).arg("PX").arg(ttl));
          }
          batch.add(Request.cmd(Command.SET).arg(variantKey(e.primaryKey(), gen, e.varyKey())).arg(value)
              .arg("PX").arg(ttl));
          return batch;
        });
  }

  /**
   * Deletes matching entries: {@code keyUrlMatch} over the URL part of primary keys, or the members of
   * {@code tag}. Returns the primary keys deleted (empty when Redis is unavailable).
   */
  public Future<Set<String>> purge(Predicate<String> keyUrlMatch, String tag, boolean all) {
    Future<Set<String>> work;
    if (all) {
      work = scanAndDelete(prefix + "*", k -> true);
    } else if (tag != null) {
      String tagKey = prefix + "t:" + tag;
      work = redis.send(Request.cmd(Command.SMEMBERS).arg(tagKey)).compose(members -> {
        Set<String> primaries = new HashSet<>();
        if (members != null) {
          for (Response m : members) {
            primaries.add(m.toString(StandardCharsets.UTF_8));
          }
        }
        if (primaries.isEmpty()) {
          return Future.succeededFuture(Set.<String>of());
        }
        return redis.send(Request.cmd(Command.DEL).arg(tagKey))
            .compose(v -> scanAndDelete(prefix + "e:*", primaries::contains));
      });
    } else {
      work = scanAndDelete(prefix + "e:*", p -> keyUrlMatch.test(CacheKeys.urlOf(p)));
    }
    Promise<Set<String>> out = Promise.promise();
    long timer = vertx.setTimer(PURGE_TIMEOUT_MS, t -> out.tryComplete(Set.of()));
    work.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        errors.increment();
      }
      out.tryComplete(ar.succeeded() ? ar.result() : Set.of());
    });
    return out.future();
  }

  /** SCAN MATCH pattern, DEL the keys whose primary key passes {@code primaryMatch}. */
  private Future<Set<String>> scanAndDelete(String pattern, Predicate<String> primaryMatch) {
    Set<String> deleted = new HashSet<>();
    return scanStep("0", pattern, primaryMatch, deleted, 0).map(v -> deleted);
  }

  private Future<Void> scanStep(String cursor, String pattern, Predicate<String> primaryMatch,
      Set<String> deleted, int round) {
    if (round > 100_000) {
      return Future.succeededFuture();
    }
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg("1000"))
        .compose(r -> {
          String next = r.get(0).toString();
          List<String> toDelete = new ArrayList<>();
          for (Response k : r.get(1)) {
            String key = k.toString(StandardCharsets.UTF_8);
            String primary = primaryOf(key);
            if (primary == null) {
              toDelete.add(key); // tag sets etc. under a purge-all pattern
            } else if (primaryMatch.test(primary)) {
              toDelete.add(key);
              deleted.add(primary);
            }
          }
          Future<Void> del = Future.succeededFuture();
          if (!toDelete.isEmpty()) {
            Request req = Request.cmd(Command.DEL);
            toDelete.forEach(req::arg);
            del = redis.send(req).mapEmpty();
          }
          return del.compose(v -> "0".equals(next) ? Future.succeededFuture()
              : scanStep(next, pattern, primaryMatch, deleted, round + 1));
        });
  }

  private <T> Future<T> withTimeout(Future<T> f, long ms) {
    Promise<T> p = Promise.promise();
    long timer = vertx.setTimer(ms, t -> p.tryFail(new TimeoutException("L2 call took longer than " + ms + " ms")));
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        p.tryComplete(ar.result());
      } else {
        p.tryFail(ar.cause());
      }
    });
    return p.future();
  }

  /** Deletes one primary key (its entry or Vary marker; variants become unreachable). Fire and forget. */
  public void deletePrimary(String primaryKey) {
    if (!breaker.tryAcquire()) {
      skipped.increment();
      return;
    }
    withTimeout(redis.send(Request.cmd(Command.DEL).arg(entryKey(primaryKey))), timeoutMs * 4).onComplete(ar -> {
      if (ar.succeeded()) {
        breaker.onSuccess();
      } else {
        errors.increment();
        breaker.onFailure();
      }
    });
  }

  /** Publishes a message on a channel (breaker-guarded, fire and forget). */
  public Future<Void> publish(String channel, String message) {
    if (!breaker.tryAcquire()) {
      skipped.increment();
      return Future.failedFuture("L2 breaker open");
    }
    return withTimeout(redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(message)), timeoutMs * 4)
        .onSuccess(r -> breaker.onSuccess()).onFailure(t -> {
          errors.increment();
          breaker.onFailure();
        }).mapEmpty();
  }

  private String entryKey(String primary) {
    return prefix + "e:" + primary;
  }

  private String variantKey(String primary, String generation, Map<String, String> secondary) {
    return prefix + "e:" + primary + VARIANT_SEPARATOR + generation + ":" + Vary.asString(secondary);
  }

  private String primaryOf(String redisKey) {
    String entryPrefix = prefix + "e:";
    if (!redisKey.startsWith(entryPrefix)) {
      return null;
    }
    String rest = redisKey.substring(entryPrefix.length());
    int v = rest.indexOf(VARIANT_SEPARATOR);
    return v < 0 ? rest : rest.substring(0, v);
  }

  public Future<Void> close() {
    return redis.close();
  }
}
