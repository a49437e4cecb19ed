package io.sidecar.predictor.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpPeerPollerTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void pollsStaticPeersAndForgetsOneThatStopsAnswering() throws Exception {
        PeerSnapshot remote = new PeerSnapshot("svc", "peer-1", 1, 1, 55, 4, 9, 90, 0.02, 0.5, Map.of());
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals(HttpPeerPoller.PATH)) {
                req.response().putHeader("content-type", "application/json").end(PeerSnapshotJson.encode(remote));
            } else {
                req.response().setStatusCode(404).end();
            }
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        PeerTable table = new PeerTable("svc", "me", Duration.ofMillis(400), Clock.systemUTC());
        HttpPeerPoller poller = new HttpPeerPoller(vertx,
                List.of(URI.create("http://127.0.0.1:" + server.actualPort())), Duration.ofMillis(100), table);
        poller.pollOnce().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(table.peers()).as("last error %s", poller.lastError()).extracting(PeerSnapshot::instance)
                .containsExactly("peer-1");
        assertThat(table.peers().get(0).rate()).isEqualTo(55.0);
        server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        poller.start();
        RedisPeerExchangeTest.await(() -> table.peers().isEmpty(), 5_000);
        assertThat(poller.failures()).isPositive();
        poller.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
