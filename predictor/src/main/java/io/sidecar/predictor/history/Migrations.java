package io.sidecar.predictor.history;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Versioned schema migrations, applied once at start-up (the Flyway model: an ordered list of numbered scripts
 * and a {@code schema_version} table recording which ran). All of it runs in one transaction holding a
 * transaction-scoped advisory lock, so sidecars starting together apply each version exactly once.
 * Scripts use {@code {schema}} for the schema name.
 */
public final class Migrations {
    /** One numbered script. */
    public record Migration(int version, String description, List<String> statements) {
    }

    public static final List<Migration> ALL = List.of(
            new Migration(1, "minute roll-ups", List.of("""
                    CREATE TABLE {schema}.rollups (
                      kind text NOT NULL, name text NOT NULL, minute timestamptz NOT NULL,
                      requests bigint NOT NULL, rate double precision, errors bigint NOT NULL,
                      error_rate double precision, p50_ms double precision, p99_ms double precision,
                      mean_in_flight double precision, max_in_flight double precision, bytes bigint,
                      cache_hit_ratio double precision,
                      PRIMARY KEY (kind, name, minute))""",
                    "CREATE INDEX rollups_minute ON {schema}.rollups (minute)")),
            new Migration(2, "anomaly alerts", List.of("""
                    CREATE TABLE {schema}.alerts (
                      id bigserial PRIMARY KEY, metric text NOT NULL, at timestamptz NOT NULL,
                      score double precision NOT NULL, severity text NOT NULL, kind text NOT NULL,
                      explanation text NOT NULL, value double precision, expected double precision)""",
                    "CREATE INDEX alerts_at ON {schema}.alerts (at)")),
            new Migration(3, "scaling advice", List.of("""
                    CREATE TABLE {schema}.scaling_advice (
                      id bigserial PRIMARY KEY, at timestamptz NOT NULL, recommended int NOT NULL, raw int NOT NULL,
                      previous int NOT NULL, forecast_peak double precision, capacity double precision,
                      capacity_method text, target_utilization double precision, reason text)""",
                    "CREATE INDEX scaling_advice_at ON {schema}.scaling_advice (at)")),
            new Migration(4, "model versions", List.of("""
                    CREATE TABLE {schema}.model_versions (
                      metric text NOT NULL, version int NOT NULL, created_at timestamptz NOT NULL,
                      at_observation bigint, alpha double precision, beta double precision,
                      gamma double precision, phi double precision, period int,
                      validation_mae double precision, incumbent_mae double precision, promoted boolean,
                      PRIMARY KEY (metric, version, created_at))""")),
            new Migration(5, "control-API audit log", List.of("""
                    CREATE TABLE {schema}.audit_log (
                      id bigserial PRIMARY KEY, at timestamptz NOT NULL, actor text, action text NOT NULL,
                      target text, detail text)""",
                    "CREATE INDEX audit_log_at ON {schema}.audit_log (at)")));

    private Migrations() {
    }

    /** Applies the pending migrations; the future holds the number applied now. */
    public static Future<Integer> apply(Pool pool, String schema) {
        return pool.withTransaction(conn -> conn
                .query("SET LOCAL client_min_messages = warning").execute()
                .compose(v -> conn.query("SELECT pg_advisory_xact_lock(hashtext('sidecar-migrations:" + schema
                        + "'))").execute())
                .compose(v -> conn.query("CREATE SCHEMA IF NOT EXISTS " + schema).execute())
                .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS " + schema + ".schema_version ("
                        + "version int PRIMARY KEY, description text NOT NULL, "
                        + "applied_at timestamptz NOT NULL DEFAULT now())").execute())
                .compose(v -> conn.query("SELECT coalesce(max(version), 0) FROM " + schema + ".schema_version")
                        .execute())
                .compose(rows -> {
                    Row row = rows.iterator().next();
                    int current = row.getInteger(0);
                    Future<Integer> chain = Future.succeededFuture(0);
                    for (Migration m : ALL) {
                        if (m.version() > current) {
                            chain = chain.compose(n -> run(conn, schema, m).map(x -> n + 1));
                        }
                    }
                    return chain;
                }));
    }

    private static Future<Void> run(SqlConnection conn, String schema, Migration m) {
        Future<Void> chain = Future.succeededFuture();
        for (String sql : m.statements()) {
            String s = sql.replace("{schema}", schema);
            chain = chain.compose(v -> conn.query(s).execute().mapEmpty());
        }
        return chain.compose(v -> conn.preparedQuery("INSERT INTO " + schema
                + ".schema_version (version, description) VALUES ($1, $2)")
                .execute(Tuple.of(m.version(), m.description())).mapEmpty());
    }
}
