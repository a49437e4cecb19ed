package io.sidecar.predictor.history;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A TCP relay on 127.0.0.1 that a test can cut (close the port and every connection) and restore. */
final class TcpRelay {
    private final Vertx vertx;
    private final String targetHost;
    private final int targetPort;
    private final NetClient client;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private NetServer server;
    private int port;
    private volatile boolean frozen;

    TcpRelay(Vertx vertx, String targetHost, int targetPort) {
        this.vertx = vertx;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.client = vertx.createNetClient();
    }

    int start(int wantedPort) throws Exception {
        server = vertx.createNetServer().connectHandler(downstream -> {
            downstream.pause();
            sockets.add(downstream);
            if (frozen) {
                return; // accepted, never answered: a hung server
            }
            client.connect(targetPort, targetHost).onSuccess(upstream -> {
                sockets.add(upstream);
                downstream.pipeTo(upstream);
                upstream.pipeTo(downstream);
                downstream.resume();
            }).onFailure(err -> downstream.close());
        });
        server.listen(wantedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        port = server.actualPort();
        return port;
    }

    int port() {
        return port;
    }

    /** Stops moving bytes on every connection, old and new, without closing anything: a hung server. */
    void freeze() {
        frozen = true;
        for (NetSocket s : sockets) {
            s.pause();
        }
    }

    /** New connections work again (frozen ones stay dead; the client closes them on its idle timeout). */
    void thaw() {
        frozen = false;
    }

    void cut() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        for (NetSocket s : sockets) {
            s.close();
        }
        sockets.clear();
    }

    void restore() throws Exception {
        start(port);
    }

    Future<Void> close() {
        return server.close();
    }
}
