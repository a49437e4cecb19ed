package io.sidecar.predictor.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.config.StorageConfig;
import io.sidecar.predictor.signals.MinuteRollup;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real local PostgreSQL (db test, user postgres), in a schema of its own per run. */
class PostgresHistoryStoreTest {
    private static final String HOST = System.getenv().getOrDefault("PG_HOST", "127.0.0.1");
    private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PG_PORT", "5432"));

    private final Vertx vertx = Vertx.vertx();
    private final String schema = "predictor_test_" + Long.toHexString(System.nanoTime());
    private Pool direct;

    @BeforeEach
    void connect() {
        direct = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(HOST).setPort(PORT)
                .setUser("postgres").setDatabase("test")).using(vertx).build();
    }

    @AfterEach
    void dropSchema() throws Exception {
        get(direct.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().mapEmpty());
        direct.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private long count(String table) throws Exception {
        return get(direct.query("SELECT count(*) FROM " + schema + "." + table).execute()).iterator().next()
                .getLong(0);
    }

    private StorageConfig config(int port) {
        return new StorageConfig(URI.create("postgresql://postgres@" + HOST + ":" + port + "/test"), schema, 100,
                Duration.ofMillis(100), 10_000, Duration.ofDays(1));
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 15 s");
            }
            Thread.sleep(50);
        }
    }

    private static MinuteRollup rollup(int minute) {
        return new MinuteRollup("route", "api", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * minute),
                600 + minute, 10 + minute / 60.0, 3, 0.005, 12, 80, 2.5, 4, 12_345, Double.NaN);
    }

    @Test
    void migrationsApplyOnce() throws Exception {
        PostgresHistoryStore first = get(PostgresHistoryStore.start(vertx, config(PORT), Clock.systemUTC()));
        assertThat(count("schema_version")).isEqualTo(Migrations.ALL.size());
        Instant appliedAt = get(direct.query("SELECT max(applied_at) FROM " + schema + ".schema_version")
                .execute()).iterator().next().getOffsetDateTime(0).toInstant();
        assertThat(get(first.migrate())).isZero();
        PostgresHistoryStore second = get(PostgresHistoryStore.start(vertx, config(PORT), Clock.systemUTC()));
        assertThat(count("schema_version")).isEqualTo(Migrations.ALL.size());
        assertThat(get(direct.query("SELECT max(applied_at) FROM " + schema + ".schema_version").execute())
                .iterator().next().getOffsetDateTime(0).toInstant()).isEqualTo(appliedAt);
        first.close();
        second.close();
    }

    @Test
    void writesReadBackAndRetentionDeletesOldRows() throws Exception {
        PostgresHistoryStore store = get(PostgresHistoryStore.start(vertx, config(PORT), Clock.systemUTC()));
        for (int m = 0; m < 5; m++) {
            store.appendRollup(rollup(m));
        }
        store.appendAlert(new Alert("route:api:rate", Instant.parse("2026-01-01T00:01:00Z"), 0.95, "warning",
                "spike", "first", 10, 5));
        store.appendAlert(new Alert("route:api:rate", Instant.parse("2026-01-01T00:03:00Z"), 0.999, "critical",
                "spike", "second", 20, 5));
        store.appendAudit(new AuditEntry(Instant.now(), "token:ops", "POST /faults", "f1", "{}"));
        await(() -> store.pending() == 0 && store.written() == 8);
        List<MinuteRollup> back = store.rollups("route", "api", Instant.parse("2026-01-01T00:01:00Z"),
                Instant.parse("2026-01-01T00:04:00Z")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(back).hasSize(3);
        assertThat(back.get(0)).isEqualTo(rollup(1));
        assertThat(store.recentAlerts(10).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .extracting(Alert::explanation).containsExactly("second", "first");
        assertThat(store.recentAudit(5).toCompletableFuture().get(5, TimeUnit.SECONDS)).hasSize(1);
        // everything from 2026-01-01 is older than a day of retention relative to the real clock
        assertThat(get(store.applyRetention())).isEqualTo(7);
        assertThat(count("rollups")).isZero();
        assertThat(count("audit_log")).isEqualTo(1);
        store.close();
    }

    @Test
    void postgresGoneMidRunBuffersAndFlushesWhenItReturns() throws Exception {
        TcpRelay relay = new TcpRelay(vertx, HOST, PORT);
        int port = relay.start(0);
        PostgresHistoryStore store = get(PostgresHistoryStore.start(vertx, config(port), Clock.systemUTC()));
        for (int m = 0; m < 10; m++) {
            store.appendRollup(rollup(m));
        }
        await(() -> store.written() == 10);

        relay.cut();
        long failuresBefore = store.flushFailures();
        for (int m = 10; m < 40; m++) {
            store.appendRollup(rollup(m)); // returns at once: the caller never waits for PostgreSQL
        }
        store.appendAlert(new Alert("route:api:rate", Instant.now(), 0.97, "warning", "spike", "while down", 1, 0));
        assertThat(store.pending()).isGreaterThan(0);
        await(() -> store.flushFailures() > failuresBefore + 1);
        assertThat(store.pending()).isEqualTo(31);
        assertThat(count("rollups")).isEqualTo(10);

        relay.restore();
        await(() -> store.pending() == 0);
        assertThat(count("rollups")).isEqualTo(40);
        assertThat(count("alerts")).isEqualTo(1);
        assertThat(store.dropped()).isZero();
        store.close();
        get(relay.close());
    }

    @Test
    void hungPostgresFailsTheFlushInFlightAndLaterRowsStillArrive() throws Exception {
        TcpRelay relay = new TcpRelay(vertx, HOST, PORT);
        int port = relay.start(0);
        PostgresHistoryStore store = PostgresHistoryStore.create(vertx, config(port), Clock.systemUTC(), 1_000);
        get(store.migrate());
        for (int m = 0; m < 5; m++) {
            store.appendRollup(rollup(m));
        }
        await(() -> store.written() == 5);
        relay.freeze();
        long failuresBefore = store.flushFailures();
        for (int m = 5; m < 15; m++) {
            store.appendRollup(rollup(m));
        }
        await(() -> store.flushFailures() > failuresBefore);
        assertThat(store.flushTimeouts()).isPositive();
        assertThat(store.pending()).isEqualTo(10);
        relay.thaw();
        await(() -> store.pending() == 0);
        assertThat(count("rollups")).isEqualTo(15);
        store.close();
        get(relay.close());
    }

    @Test
    void boundedQueueDropsOldestWhenFull() throws Exception {
        TcpRelay relay = new TcpRelay(vertx, HOST, PORT);
        int port = relay.start(0);
        StorageConfig small = new StorageConfig(URI.create("postgresql://postgres@" + HOST + ":" + port + "/test"),
                schema, 10, Duration.ofMillis(100), 20, Duration.ofDays(1));
        PostgresHistoryStore store = get(PostgresHistoryStore.start(vertx, small, Clock.systemUTC()));
        relay.cut();
        for (int m = 0; m < 50; m++) {
            store.appendRollup(rollup(m));
        }
        // A flush that took its batch (10 rows) just before the cut holds it until its write fails; then the batch
        // goes back to the front of the queue and the queue is trimmed to its capacity again.
        assertThat(store.pending()).isLessThanOrEqualTo(20 + 10);
        await(() -> store.pending() <= 20);
        assertThat(store.dropped()).isGreaterThanOrEqualTo(30);
        relay.restore();
        await(() -> store.pending() == 0);
        // the newest 20 survived
        assertThat(count("rollups")).isEqualTo(20);
        assertThat(get(direct.query("SELECT min(requests) FROM " + schema + ".rollups").execute()).iterator().next()
                .getLong(0)).isEqualTo(630L);
        store.close();
        get(relay.close());
    }
}
