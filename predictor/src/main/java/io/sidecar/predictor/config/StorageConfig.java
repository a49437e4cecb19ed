package io.sidecar.predictor.config;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code storage:} section: history in PostgreSQL ({@code storage.postgres}) or, when absent, in memory.
 *
 * @param postgres a postgresql:// URI, or null for the in-memory store
 * @param schema the schema the tables live in (created if missing)
 * @param batchSize rows per INSERT batch
 * @param flushEvery how often buffered rows are written
 * @param queueCapacity rows buffered while PostgreSQL is slow or down; beyond it the oldest are dropped (counted)
 * @param retention rows older than this are deleted
 */
public record StorageConfig(URI postgres, String schema, int batchSize, Duration flushEvery, int queueCapacity,
                            Duration retention) {
    public static final String DEFAULT_SCHEMA = "sidecar";
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_FLUSH_EVERY = Duration.ofSeconds(5);
    public static final int DEFAULT_QUEUE_CAPACITY = 100_000;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final StorageConfig IN_MEMORY = new StorageConfig(null, DEFAULT_SCHEMA, DEFAULT_BATCH_SIZE,
            DEFAULT_FLUSH_EVERY, DEFAULT_QUEUE_CAPACITY, DEFAULT_RETENTION);

    public StorageConfig {
        String p = "storage.";
        if (postgres != null && !"postgresql".equals(postgres.getScheme())
                && !"postgres".equals(postgres.getScheme())) {
            throw new IllegalArgumentException(p + "postgres must be a postgresql:// URI, was " + postgres);
        }
        if (schema == null || !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(p + "schema must be a lower-case SQL identifier, was " + schema);
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException(p + "batch_size must be in 1..10000, was " + batchSize);
        }
        if (flushEvery == null || flushEvery.toMillis() < 10) {
            throw new IllegalArgumentException(p + "flush_every must be at least 10ms, was " + flushEvery);
        }
        if (queueCapacity < batchSize) {
            throw new IllegalArgumentException(p + "queue_capacity must be >= batch_size (" + batchSize + "), was "
                    + queueCapacity);
        }
        if (retention == null || retention.toMinutes() < 1) {
            throw new IllegalArgumentException(p + "retention must be at least 1m, was " + retention);
        }
    }

    public static StorageConfig postgres(URI uri, String schema) {
        return new StorageConfig(uri, schema, DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_EVERY, DEFAULT_QUEUE_CAPACITY,
                DEFAULT_RETENTION);
    }
}
