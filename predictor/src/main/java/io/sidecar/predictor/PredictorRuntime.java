package io.sidecar.predictor;

import io.sidecar.predictor.config.PredictorConfig;
import io.sidecar.predictor.config.StorageConfig;
import io.sidecar.predictor.history.HistoryStore;
import io.sidecar.predictor.history.InMemoryHistoryStore;
import io.sidecar.predictor.history.PostgresHistoryStore;
import io.sidecar.predictor.peers.HttpPeerPoller;
import io.sidecar.predictor.peers.RedisPeerExchange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The predictor wired to Vert.x: a 1-second timer ticks the {@link Predictor} on a worker thread; peers come
 * over Redis pub/sub, or by polling static peers, or not at all ({@code predictor.peers}); history goes to
 * PostgreSQL or memory ({@code storage}). Optional infrastructure never stops start-up: Redis or PostgreSQL
 * unreachable at start is logged, retried in the background, and the predictor runs on local signals and buffered
 * history.
 */
public final class PredictorRuntime {
    private static final Logger LOG = Logger.getLogger(PredictorRuntime.class.getName());
    private static final long MIGRATION_RETRY_MS = 10_000;

    private final Vertx vertx;
    private final Predictor predictor;
    private final HistoryStore history;
    private RedisPeerExchange redis;
    private HttpPeerPoller poller;
    private long tickTimer = -1;
    private long migrationTimer = -1;

    private PredictorRuntime(Vertx vertx, Predictor predictor, HistoryStore history) {
        this.vertx = vertx;
        this.predictor = predictor;
        this.history = history;
    }

    /** Starts everything; the future always succeeds (degraded parts are logged and retried). */
    public static Future<PredictorRuntime> start(Vertx vertx, PredictorConfig config, StorageConfig storage,
                                                 Clock clock) {
        Future<HistoryStore> historyFuture;
        if (storage == null || storage.postgres() == null) {
            historyFuture = Future.succeededFuture(new InMemoryHistoryStore());
        } else {
            historyFuture = PostgresHistoryStore.start(vertx, storage, clock).map(s -> (HistoryStore) s);
        }
        return historyFuture.recover(err -> {
            LOG.log(Level.WARNING, "PostgreSQL history unavailable at start, buffering and retrying: " + err);
            return Future.succeededFuture(null);
        }).map(store -> {
            HistoryStore h = store;
            PredictorRuntime[] holder = new PredictorRuntime[1];
            if (h == null) {
                PostgresHistoryStore pending = PostgresHistoryStore.create(vertx, storage, clock);
                h = pending;
                holder[0] = new PredictorRuntime(vertx, new Predictor(config, clock, h), h);
                holder[0].retryMigrations(pending);
            } else {
                holder[0] = new PredictorRuntime(vertx, new Predictor(config, clock, h), h);
            }
            holder[0].startTimersAndPeers(config);
            return holder[0];
        });
    }

    private void retryMigrations(PostgresHistoryStore store) {
        migrationTimer = vertx.setPeriodic(MIGRATION_RETRY_MS, id -> store.migrate()
                .timeout(MIGRATION_RETRY_MS, java.util.concurrent.TimeUnit.MILLISECONDS).onSuccess(n -> {
            vertx.cancelTimer(id);
            LOG.info("PostgreSQL history reachable again, " + n + " migrations applied");
        }));
    }

    private void startTimersAndPeers(PredictorConfig config) {
        // On a worker thread, one tick at a time: a tick reads every signal's histograms each second and, at a
        // minute's end, runs the models over the minute, which measured 12-50 ms under load. On an event loop that
        // stalled every connection the loop serves (0.3-0.5 ms a second, and the minute's run once a minute).
        tickTimer = vertx.setPeriodic(1_000, id -> vertx.executeBlocking(() -> {
            try {
                predictor.tick();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "predictor tick failed", e);
            }
            return null;
        }, true));
        switch (config.peers().mode()) {
            case "redis" -> {
                redis = new RedisPeerExchange(vertx, config.peers().redis(), config.peers().publishEvery(),
                        predictor.peers(), predictor::localSnapshot);
                redis.start().onFailure(err -> LOG.warning("Redis peer exchange unavailable, retrying: " + err));
            }
            case "static" -> {
                poller = new HttpPeerPoller(vertx, config.peers().staticPeers(), config.peers().publishEvery(),
                        predictor.peers());
                poller.start();
            }
            default -> {
                // local signals only
            }
        }
    }

    public Predictor predictor() {
        return predictor;
    }

    /**
     * The Redis peer exchange in {@code redis} mode (null otherwise), for
     * {@link RedisPeerExchange#watchServices} (the upstream view of the balancer).
     */
    public RedisPeerExchange redisExchange() {
        return redis;
    }

    public HistoryStore history() {
        return history;
    }

    public Future<Void> stop() {
        if (tickTimer >= 0) {
            vertx.cancelTimer(tickTimer);
        }
        if (migrationTimer >= 0) {
            vertx.cancelTimer(migrationTimer);
        }
        Future<Void> a = redis == null ? Future.succeededFuture() : redis.stop();
        Future<Void> b = poller == null ? Future.succeededFuture() : poller.stop();
        return Future.all(a, b).onComplete(ar -> history.close()).mapEmpty();
    }
}
