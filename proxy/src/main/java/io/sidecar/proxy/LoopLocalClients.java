package io.sidecar.proxy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One pooled HTTP client per event loop, as Envoy keeps one connection pool per worker thread. Vert.x opens a
 * connection on the event loop of the request that needed it, but its pool hands any idle connection to any
 * caller; with one shared client a request on loop A often got a connection of loop B, and every response event
 * then crossed threads. Here the first request from an event-loop thread claims a client that only that thread
 * uses, so a request, its upstream connection and its response stay on one thread.
 *
 * <p>The cluster's pool limits are split evenly over the loops (rounded up). Callers on other threads (tests, the
 * main thread) share the first client.
 */
final class LoopLocalClients {
  private final HttpClientAgent[] clients;
  private final AtomicReferenceArray<Thread> owners;

  LoopLocalClients(Vertx vertx, HttpClientOptions options, PoolOptions wholeCluster) {
    int loops = eventLoops(vertx);
    PoolOptions perLoop = new PoolOptions(wholeCluster)
        .setHttp1MaxSize(share(wholeCluster.getHttp1MaxSize(), loops))
        .setHttp2MaxSize(share(wholeCluster.getHttp2MaxSize(), loops))
        .setMaxWaitQueueSize(wholeCluster.getMaxWaitQueueSize() < 0 ? -1
            : share(wholeCluster.getMaxWaitQueueSize(), loops));
    clients = new HttpClientAgent[loops];
    for (int i = 0; i < loops; i++) {
      clients[i] = vertx.httpClientBuilder().with(options).with(perLoop)
          .withConnectHandler(UpstreamConnectionSetup.onConnect(options)).build();
    }
    owners = new AtomicReferenceArray<>(loops);
  }

  /** The client of the calling event loop (claimed on its first call). */
  HttpClient current() {
    Thread thread = Thread.currentThread();
    for (int i = 0; i < clients.length; i++) {
      Thread owner = owners.get(i);
      if (owner == thread) return clients[i];
      if (owner == null) {
        if (!Context.isOnEventLoopThread()) break;
        if (owners.compareAndSet(i, null, thread)) return clients[i];
        if (owners.get(i) == thread) return clients[i];
      }
    }
    return clients[0];
  }

  int size() {
    return clients.length;
  }

  List<HttpClientAgent> all() {
    return List.of(clients);
  }

  /** Shuts every client down after in-flight requests had {@code graceMillis} to finish. */
  Future<Void> shutdown(long graceMillis) {
    List<Future<Void>> all = new ArrayList<>(clients.length);
    for (HttpClient c : clients) all.add(c.shutdown(graceMillis, TimeUnit.MILLISECONDS));
    return Future.all(all).mapEmpty();
  }

  private static int share(int total, int loops) {
    return Math.max(1, (total + loops - 1) / loops);
  }

  private static int eventLoops(Vertx vertx) {
    int n = 0;
    for (var ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) n++;
    return Math.max(1, n);
  }
}
