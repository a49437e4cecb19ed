package io.sidecar.predictor.peers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Peer exchange over Redis pub/sub: every {@code publishEvery} this instance PUBLISHes its {@link PeerSnapshot}
 * on {@code sidecar:peers:<service>} and a dedicated subscriber connection feeds what the peers publish into the
 * {@link PeerTable}. Redis down: publishing fails quietly (counted), the subscriber reconnects with capped
 * exponential backoff (0.5 s .. 10 s), peers age out of the table and the predictor runs on local signals.
 *
 * <p>Upstream view: {@link #watchServices} subscribes the same subscriber connection to other services' channels
 * and feeds what their instances publish into an {@link UpstreamPeers}, apart from this service's table. The
 * publish timer also expires silent upstream instances.
 */
public final class RedisPeerExchange {
    public static final String CHANNEL_PREFIX = "sidecar:peers:";
    private static final long MAX_BACKOFF_MS = 10_000;

    private final Vertx vertx;
    private final URI redisUri;
    private final Duration publishEvery;
    private final PeerTable table;
    private final Supplier<PeerSnapshot> local;
    private final String channel;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private Redis publisher;
    private Redis subscriberClient;
    // Volatile like upstream: start() sets this on the connection's thread while watchServices may run on another;
    // with both volatile, one of the two always sees the other's write, so the watched channels get subscribed.
    private volatile RedisConnection subscriber;
    private long timerId = -1;
    private long backoffMs = 500;
    private volatile boolean stopped;
    private volatile UpstreamPeers upstream;

    public RedisPeerExchange(Vertx vertx, URI redisUri, Duration publishEvery, PeerTable table,
                             Supplier<PeerSnapshot> local) {
        this.vertx = vertx;
        this.redisUri = redisUri;
        this.publishEvery = publishEvery;
        this.table = table;
        this.local = local;
        this.channel = CHANNEL_PREFIX + table.service();
    }

    public String channel() {
        return channel;
    }

    /** This service's peer table (what this exchange feeds). */
    public PeerTable table() {
        return table;
    }

    /** Starts publishing and subscribing; the future completes once the first subscription is in place or failed. */
    public Future<Void> start() {
        RedisOptions options = new RedisOptions().setConnectionString(redisUri.toString()).setMaxPoolSize(2)
                .setMaxWaitingHandlers(64);
        publisher = Redis.createClient(vertx, options);
        subscriberClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUri.toString()));
        timerId = vertx.setPeriodic(publishEvery.toMillis(), id -> {
            publishNow();
            UpstreamPeers u = upstream;
            if (u != null) {
                u.expire();
            }
        });
        return subscribe().recover(err -> {
            scheduleResubscribe();
            return Future.failedFuture(err);
        });
    }

    private Future<Void> subscribe() {
        if (stopped) {
            return Future.succeededFuture();
        }
        return subscriberClient.connect().compose(conn -> {
            subscriber = conn;
            conn.handler(this::onMessage);
            conn.exceptionHandler(err -> conn.close());
            conn.endHandler(v -> {
                subscriber = null;
                scheduleResubscribe();
            });
            return conn.send(subscribeRequest(channels())).<Void>mapEmpty();
        }).onSuccess(v -> backoffMs = 500);
    }

    /** This service's channel plus the watched upstream services' channels. */
    private List<String> channels() {
        List<String> all = new ArrayList<>();
        all.add(channel);
        UpstreamPeers u = upstream;
        if (u != null) {
            for (String service : u.services()) {
                if (!all.contains(CHANNEL_PREFIX + service)) {
                    all.add(CHANNEL_PREFIX + service);
                }
            }
        }
        return all;
    }

    private static Request subscribeRequest(List<String> channels) {
        Request r = Request.cmd(Command.SUBSCRIBE);
        channels.forEach(r::arg);
        return r;
    }

    /**
     * Also receives the snapshots of the instances of {@code services} (the services this sidecar calls), over
     * the same subscriber connection, without touching this service's peer table. Call on the Vert.x context
     * that started the exchange, before or after {@link #start()}; a second call replaces the watched set.
     *
     * @param onSnapshot called with every new snapshot of a watched service's instance
     * @param onForgotten called with the last snapshot of an instance silent for {@code forgetAfter}
     * @return the live view, also queryable ({@link UpstreamPeers#peers(String)})
     */
    public UpstreamPeers watchServices(Set<String> services, Duration forgetAfter, Consumer<PeerSnapshot> onSnapshot,
                                       Consumer<PeerSnapshot> onForgotten) {
        UpstreamPeers previous = upstream;
        UpstreamPeers next = new UpstreamPeers(services, forgetAfter, table.clock(), onSnapshot, onForgotten);
        upstream = next;
        RedisConnection conn = subscriber;
        if (conn != null) {
            List<String> stale = new ArrayList<>();
            if (previous != null) {
                for (String service : previous.services()) {
                    String ch = CHANNEL_PREFIX + service;
                    if (!services.contains(service) && !ch.equals(channel)) {
                        stale.add(ch);
                    }
                }
            }
            if (!stale.isEmpty()) {
                Request unsub = Request.cmd(Command.UNSUBSCRIBE);
                stale.forEach(unsub::arg);
                conn.send(unsub);
            }
            List<String> fresh = channels();
            fresh.remove(channel);
            if (!fresh.isEmpty()) {
                conn.send(subscribeRequest(fresh));
            }
        }
        return next;
    }

    /** {@link #watchServices(Set, Duration, Consumer, Consumer)} forgetting after this exchange's table's delay. */
    public UpstreamPeers watchServices(Set<String> services, Consumer<PeerSnapshot> onSnapshot) {
        return watchServices(services, table.forgetAfter(), onSnapshot, null);
    }

    /** The current upstream view (null before {@link #watchServices}). */
    public UpstreamPeers upstream() {
        return upstream;
    }

    private void scheduleResubscribe() {
        if (stopped) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        vertx.setTimer(delay, id -> subscribe().onFailure(err -> scheduleResubscribe()));
    }

    private void onMessage(Response message) {
        // pub/sub pushes arrive as ["message", channel, payload]; size() throws on any reply that is no array
        if (message == null || (message.type() != ResponseType.MULTI && message.type() != ResponseType.PUSH)
                || message.size() < 3 || !"message".equals(message.get(0).toString())) {
            return;
        }
        String from = message.get(1).toString();
        PeerSnapshotJson.decode(message.get(2).toString()).ifPresent(s -> {
            // the channel names the service; a snapshot claiming another service on it is ignored by both
            if (from.equals(channel) && table.update(s)) {
                received.incrementAndGet();
            }
            UpstreamPeers u = upstream;
            if (u != null && from.equals(CHANNEL_PREFIX + s.service())) {
                u.update(s);
            }
        });
    }

    /** Publishes this instance's snapshot now (also called by the timer). */
    public Future<Void> publishNow() {
        if (stopped || publisher == null) {
            return Future.succeededFuture();
        }
        PeerSnapshot snapshot;
        try {
            snapshot = local.get();
        } catch (RuntimeException e) {
            publishFailures.incrementAndGet();
            return Future.failedFuture(e);
        }
        return publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(PeerSnapshotJson.encode(snapshot)))
                .onSuccess(r -> published.incrementAndGet())
                .onFailure(err -> publishFailures.incrementAndGet())
                .mapEmpty();
    }

    public long published() {
        return published.get();
    }

    public long publishFailures() {
        return publishFailures.get();
    }

    public long received() {
        return received.get();
    }

    public Future<Void> stop() {
        stopped = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        Future<Void> a = subscriberClient == null ? Future.succeededFuture() : subscriberClient.close();
        Future<Void> b = publisher == null ? Future.succeededFuture() : publisher.close();
        return Future.all(a, b).mapEmpty();
    }
}
