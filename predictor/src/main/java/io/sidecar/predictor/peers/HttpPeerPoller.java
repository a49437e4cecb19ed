package io.sidecar.predictor.peers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Peer exchange without Redis: every {@code every} it GETs {@code <peer admin URL>/signals/snapshot} from each
 * static peer (the control API serves {@link PeerSnapshotJson} there) and feeds the answers into the
 * {@link PeerTable}. A peer that does not answer simply ages out of the table. The same poller over the admin URLs
 * of upstream instances feeds an {@link UpstreamPeers} ({@link #watch}), the static-mode upstream view.
 */
public final class HttpPeerPoller {
    public static final String PATH = "/signals/snapshot";
    static final long MIN_TIMEOUT_MS = 1_000;

    private final Vertx vertx;
    private final List<URI> peers;
    private final Duration every;
    private final Consumer<PeerSnapshot> sink;
    private final Runnable afterRound;
    private final HttpClient client;
    private final AtomicLong failures = new AtomicLong();
    private long timerId = -1;
    private volatile String lastError;

    public HttpPeerPoller(Vertx vertx, List<URI> peers, Duration every, PeerTable table) {
        this(vertx, peers, every, table::update, () -> { });
    }

    /**
     * @param sink receives every snapshot read
     * @param afterRound runs after each polling round (all answered or failed)
     */
    public HttpPeerPoller(Vertx vertx, List<URI> peers, Duration every, Consumer<PeerSnapshot> sink,
                          Runnable afterRound) {
        this.vertx = vertx;
        this.peers = List.copyOf(peers);
        this.every = every;
        this.sink = sink;
        this.afterRound = afterRound;
        long timeout = Math.max(MIN_TIMEOUT_MS, every.toMillis());
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout)
                .setIdleTimeout((int) Math.max(1, timeout / 1000 * 3)).setKeepAlive(true));
    }

    /**
     * Static-mode upstream view: polls the admin URLs of upstream instances every {@code every} into
     * {@code upstream} and expires its silent instances after each round. Call {@link #start()} on the result.
     */
    public static HttpPeerPoller watch(Vertx vertx, List<URI> adminUrls, Duration every, UpstreamPeers upstream) {
        return new HttpPeerPoller(vertx, adminUrls, every, upstream::update, upstream::expire);
    }

    public void start() {
        timerId = vertx.setPeriodic(every.toMillis(), id -> pollOnce());
    }

    /** Polls every peer once; the future completes when all answered or failed. */
    public Future<Void> pollOnce() {
        List<Future<Void>> all = peers.stream().map(this::poll).toList();
        return Future.join(all).<Void>mapEmpty().recover(e -> Future.succeededFuture())
                .onComplete(ar -> afterRound.run());
    }

    private Future<Void> poll(URI peer) {
        String base = peer.getPath() == null ? "" : peer.getPath().replaceAll("/+$", "");
        int port = peer.getPort() > 0 ? peer.getPort() : ("https".equals(peer.getScheme()) ? 443 : 80);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(peer.getHost())
                .setPort(port).setSsl("https".equals(peer.getScheme())).setURI(base + PATH)
                .setTimeout(Math.max(MIN_TIMEOUT_MS, every.toMillis()));
        return client.request(options)
                .compose(req -> req.send())
                .compose(resp -> {
                    if (resp.statusCode() != 200) {
                        return Future.failedFuture("HTTP " + resp.statusCode());
                    }
                    return resp.body();
                })
                .<Void>map(body -> {
                    PeerSnapshotJson.decode(body).ifPresent(sink);
                    return null;
                })
                .onFailure(e -> {
                    failures.incrementAndGet();
                    lastError = peer + ": " + e;
                });
    }

    /** The last polling failure, for diagnostics (null before any). */
    public String lastError() {
        return lastError;
    }

    public long failures() {
        return failures.get();
    }

    public Future<Void> stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        return client.close();
    }
}
