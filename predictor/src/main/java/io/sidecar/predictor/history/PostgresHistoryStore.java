package io.sidecar.predictor.history;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.config.StorageConfig;
import io.sidecar.predictor.forecast.ModelVersion;
import io.sidecar.predictor.scaling.ScalingAdvice;
import io.sidecar.predictor.signals.MinuteRollup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * History in PostgreSQL through the reactive vertx-pg-client.
 *
 * <p>Writes go into one bounded in-memory queue (append is a synchronized {@code addLast}, never I/O); a timer
 * every {@code flushEvery} takes up to {@code batchSize} rows, groups them per table and writes them in one
 * transaction with {@code executeBatch}. If PostgreSQL is slow, only one flush is in flight and the queue
 * grows; if it is down, the rows go back to the head of the queue and are retried at the next tick. Past
 * {@code queueCapacity} the oldest rows are dropped and counted. Roll-ups are written with
 * {@code ON CONFLICT DO NOTHING}, so a batch retried after an ambiguous failure is not duplicated.
 * Retention: rows older than {@code retention} are deleted every ten minutes.
 */
public final class PostgresHistoryStore implements HistoryStore {
    private static final long RETENTION_EVERY_MS = 600_000;
    /** A flush still running after this long is taken as a hung server: the pool is replaced. */
    static final long FLUSH_TIMEOUT_MS = 30_000;

    private enum Table { ROLLUP, ALERT, ADVICE, MODEL, AUDIT }

    private record Pending(Table table, Tuple tuple) {
    }

    private final Vertx vertx;
    private final StorageConfig config;
    private final Clock clock;
    private final PgConnectOptions connect;
    private final long flushTimeoutMillis;
    private volatile Pool pool;
    private long flushGeneration;
    private final String s;
    private final Map<Table, String> inserts = new LinkedHashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger inFlightRows = new AtomicInteger();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong flushFailures = new AtomicLong();
    private final AtomicLong flushTimeouts = new AtomicLong();
    private volatile String lastError;
    private long flushTimer = -1;
    private long retentionTimer = -1;

    private PostgresHistoryStore(Vertx vertx, StorageConfig config, Clock clock, long flushTimeoutMillis) {
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
        this.s = config.schema();
        this.connect = PgConnectOptions.fromUri(config.postgres().toString()).setReconnectAttempts(0);
        this.flushTimeoutMillis = flushTimeoutMillis;
        this.pool = newPool();
        inserts.put(Table.ROLLUP, "INSERT INTO " + s + ".rollups (kind, name, minute, requests, rate, errors, "
                + "error_rate, p50_ms, p99_ms, mean_in_flight, max_in_flight, bytes, cache_hit_ratio) VALUES "
                + "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING");
        inserts.put(Table.ALERT, "INSERT INTO " + s + ".alerts (metric, at, score, severity, kind, explanation, "
                + "value, expected) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        inserts.put(Table.ADVICE, "INSERT INTO " + s + ".scaling_advice (at, recommended, raw, previous, "
                + "forecast_peak, capacity, capacity_method, target_utilization, reason) VALUES "
                + "($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        inserts.put(Table.MODEL, "INSERT INTO " + s + ".model_versions (metric, version, created_at, "
                + "at_observation, alpha, beta, gamma, phi, period, validation_mae, incumbent_mae, promoted) VALUES "
                + "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING");
        inserts.put(Table.AUDIT, "INSERT INTO " + s + ".audit_log (at, actor, action, target, detail) VALUES "
                + "($1, $2, $3, $4, $5)");
    }

    /**
     * Creates the store, applies the migrations and starts the flush and retention timers. If PostgreSQL is
     * unreachable at start the future fails; the caller may still use the store (writes buffer) and call
     * {@link #migrate()} again later.
     */
    public static Future<PostgresHistoryStore> start(Vertx vertx, StorageConfig config, Clock clock) {
        PostgresHistoryStore store = create(vertx, config, clock);
        // a hung server must not hang start-up: give up after the flush timeout
        return store.migrate().timeout(store.flushTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
                .map(n -> store).onFailure(err -> store.close());
    }

    /**
     * Creates the store and starts its timers without touching PostgreSQL: writes buffer until {@link #migrate()}
     * succeeds and the flushes go through (used when PostgreSQL is down at start-up).
     */
    public static PostgresHistoryStore create(Vertx vertx, StorageConfig config, Clock clock) {
        return create(vertx, config, clock, FLUSH_TIMEOUT_MS);
    }

    /** As {@link #create(Vertx, StorageConfig, Clock)} with another flush timeout (tests). */
    static PostgresHistoryStore create(Vertx vertx, StorageConfig config, Clock clock, long flushTimeoutMillis) {
        PostgresHistoryStore store = new PostgresHistoryStore(vertx, config, clock, flushTimeoutMillis);
        store.flushTimer = vertx.setPeriodic(config.flushEvery().toMillis(), id -> store.flush());
        store.retentionTimer = vertx.setPeriodic(RETENTION_EVERY_MS, id -> store.applyRetention());
        return store;
    }

    private Pool newPool() {
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setConnectionTimeout(5).setIdleTimeout(60))
                .with(new NetClientOptions().setTcpKeepAlive(true))
                .connectingTo(connect).using(vertx).build();
    }

    /**
     * A hung server (accepts, never answers) would stall the flush in flight forever and with it every later
     * flush. After {@code flushTimeoutMillis} the pool is replaced and the old one closed, which fails the
     * stalled transaction (not committed) so its rows go back to the queue.
     */
    private void onFlushTimeout(long generation) {
        if (flushing.get() && flushGeneration == generation) {
            flushTimeouts.incrementAndGet();
            lastError = "flush timed out after " + flushTimeoutMillis + " ms; connection pool replaced";
            Pool old = pool;
            pool = newPool();
            old.close();
        }
    }

    /** Applies pending migrations; the future holds how many ran. */
    public Future<Integer> migrate() {
        return Migrations.apply(pool, s);
    }

    private static OffsetDateTime time(Instant i) {
        return i.atOffset(ZoneOffset.UTC);
    }

    private void enqueue(Table table, Tuple tuple) {
        synchronized (queue) {
            queue.addLast(new Pending(table, tuple));
            while (queue.size() > config.queueCapacity()) {
                queue.removeFirst();
                dropped.incrementAndGet();
            }
        }
    }

    @Override
    public void appendRollup(MinuteRollup r) {
        enqueue(Table.ROLLUP, Tuple.tuple(List.of(r.kind(), r.name(), time(r.minute()), r.requests(),
                r.ratePerSecond(), r.errors(), r.errorRate(), r.p50Ms(), r.p99Ms(), r.meanInFlight(), r.maxInFlight(),
                r.bytes(), r.cacheHitRatio())));
    }

    @Override
    public void appendAlert(Alert a) {
        enqueue(Table.ALERT, Tuple.tuple(List.of(a.metric(), time(a.at()), a.score(), a.severity(), a.kind(),
                a.explanation(), a.value(), a.expected())));
    }

    @Override
    public void appendAdvice(ScalingAdvice a) {
        enqueue(Table.ADVICE, Tuple.tuple(List.of(time(a.at()), a.recommended(), a.raw(), a.previous(),
                a.forecastPeak(), a.capacityPerInstance(), a.capacityMethod(), a.targetUtilization(), a.reason())));
    }

    @Override
    public void appendModelVersion(String metric, ModelVersion v) {
        enqueue(Table.MODEL, Tuple.tuple(List.of(metric, v.id(), time(v.createdAt()), v.atObservation(),
                v.params().alpha(), v.params().beta(), v.params().gamma(), v.params().phi(), v.params().period(),
                v.validationMae(), v.incumbentMae(), v.promoted())));
    }

    @Override
    public void appendAudit(AuditEntry e) {
        Tuple t = Tuple.tuple();
        t.addValue(time(e.at()));
        t.addValue(e.actor());
        t.addValue(e.action());
        t.addValue(e.target());
        t.addValue(e.detail());
        enqueue(Table.AUDIT, t);
    }

    /** Writes one batch now (also run by the timer); the future holds the rows written. */
    public Future<Integer> flush() {
        if (!flushing.compareAndSet(false, true)) {
            return Future.succeededFuture(0);
        }
        List<Pending> batch = new ArrayList<>();
        synchronized (queue) {
            while (batch.size() < config.batchSize() && !queue.isEmpty()) {
                batch.add(queue.removeFirst());
            }
            inFlightRows.set(batch.size());
        }
        if (batch.isEmpty()) {
            flushing.set(false);
            return Future.succeededFuture(0);
        }
        Map<Table, List<Tuple>> byTable = new LinkedHashMap<>();
        for (Pending p : batch) {
            byTable.computeIfAbsent(p.table(), t -> new ArrayList<>()).add(p.tuple());
        }
        long generation = ++flushGeneration;
        long timeoutTimer = vertx.setTimer(flushTimeoutMillis, id -> onFlushTimeout(generation));
        return pool.withTransaction(conn -> {
            Future<Void> chain = Future.succeededFuture();
            for (Map.Entry<Table, List<Tuple>> e : byTable.entrySet()) {
                chain = chain.compose(v -> conn.preparedQuery(inserts.get(e.getKey())).executeBatch(e.getValue())
                        .mapEmpty());
            }
            return chain;
        }).map(v -> {
            written.addAndGet(batch.size());
            inFlightRows.set(0);
            return batch.size();
        }).recover(err -> {
            flushFailures.incrementAndGet();
            lastError = String.valueOf(err);
            synchronized (queue) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    queue.addFirst(batch.get(i));
                }
                inFlightRows.set(0);
                while (queue.size() > config.queueCapacity()) {
                    queue.removeFirst();
                    dropped.incrementAndGet();
                }
            }
            return Future.succeededFuture(0);
        }).onComplete(ar -> {
            vertx.cancelTimer(timeoutTimer);
            flushing.set(false);
        });
    }

    /** Deletes rows older than the retention; the future holds how many. */
    public Future<Integer> applyRetention() {
        OffsetDateTime cutoff = time(clock.instant().minus(config.retention()));
        List<String> deletes = List.of("DELETE FROM " + s + ".rollups WHERE minute < $1",
                "DELETE FROM " + s + ".alerts WHERE at < $1", "DELETE FROM " + s + ".scaling_advice WHERE at < $1",
                "DELETE FROM " + s + ".model_versions WHERE created_at < $1",
                "DELETE FROM " + s + ".audit_log WHERE at < $1");
        Future<Integer> chain = Future.succeededFuture(0);
        for (String sql : deletes) {
            chain = chain.compose(n -> pool.preparedQuery(sql).execute(Tuple.of(cutoff))
                    .map(rows -> n + rows.rowCount()));
        }
        return chain.recover(err -> {
            lastError = String.valueOf(err);
            return Future.succeededFuture(0);
        });
    }

    @Override
    public CompletionStage<List<MinuteRollup>> rollups(String kind, String name, Instant from, Instant to) {
        return pool.preparedQuery("SELECT kind, name, minute, requests, rate, errors, error_rate, p50_ms, p99_ms, "
                        + "mean_in_flight, max_in_flight, bytes, cache_hit_ratio FROM " + s + ".rollups "
                        + "WHERE kind = $1 AND name = $2 AND minute >= $3 AND minute < $4 ORDER BY minute")
                .execute(Tuple.of(kind, name, time(from), time(to)))
                .map(rows -> {
                    List<MinuteRollup> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new MinuteRollup(r.getString(0), r.getString(1),
                                r.getOffsetDateTime(2).toInstant(), r.getLong(3), d(r, 4), r.getLong(5), d(r, 6),
                                d(r, 7), d(r, 8), d(r, 9), d(r, 10), r.getLong(11) == null ? 0 : r.getLong(11),
                                d(r, 12)));
                    }
                    return out;
                }).toCompletionStage();
    }

    private static double d(Row r, int i) {
        Double v = r.getDouble(i);
        return v == null ? Double.NaN : v;
    }

    @Override
    public CompletionStage<List<Alert>> recentAlerts(int limit) {
        return pool.preparedQuery("SELECT metric, at, score, severity, kind, explanation, value, expected FROM " + s
                        + ".alerts ORDER BY at DESC, id DESC LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Alert> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Alert(r.getString(0), r.getOffsetDateTime(1).toInstant(), d(r, 2),
                                r.getString(3), r.getString(4), r.getString(5), d(r, 6), d(r, 7)));
                    }
                    return out;
                }).toCompletionStage();
    }

    @Override
    public CompletionStage<List<AuditEntry>> recentAudit(int limit) {
        return pool.preparedQuery("SELECT at, actor, action, target, detail FROM " + s
                        + ".audit_log ORDER BY at DESC, id DESC LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<AuditEntry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new AuditEntry(r.getOffsetDateTime(0).toInstant(), r.getString(1), r.getString(2),
                                r.getString(3), r.getString(4)));
                    }
                    return out;
                }).toCompletionStage();
    }

    @Override
    public int pending() {
        synchronized (queue) {
            return queue.size() + inFlightRows.get();
        }
    }

    @Override
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    public long flushFailures() {
        return flushFailures.get();
    }

    /** Flushes abandoned because the server did not answer in time. */
    public long flushTimeouts() {
        return flushTimeouts.get();
    }

    /** The last write or retention error, for diagnostics (null before any). */
    public String lastError() {
        return lastError;
    }

    /** The pool, for read queries the control API may add. */
    public Pool pool() {
        return pool;
    }

    @Override
    public void close() {
        if (flushTimer >= 0) {
            vertx.cancelTimer(flushTimer);
        }
        if (retentionTimer >= 0) {
            vertx.cancelTimer(retentionTimer);
        }
        pool.close();
    }
}
