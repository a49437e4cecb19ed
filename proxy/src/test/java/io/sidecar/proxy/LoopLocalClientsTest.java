package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Through a real upstream: each event loop has its own client, and its responses arrive on its own thread. */
class LoopLocalClientsTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private record Call(HttpClient client, Thread caller, Thread responder, String body) {}

  @Test
  void eachEventLoopUsesItsOwnClientAndKeepsItsResponsesOnItsThread() throws Exception {
    HttpServer upstream = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    LoopLocalClients clients = new LoopLocalClients(vertx, new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(5).setMaxWaitQueueSize(7));
    assertThat(clients.size()).isEqualTo(2);

    ContextInternal loopA = ((VertxInternal) vertx).createEventLoopContext();
    ContextInternal loopB = ((VertxInternal) vertx).createEventLoopContext();
    assertThat(loopA.nettyEventLoop()).isNotSameAs(loopB.nettyEventLoop());
    List<Call> calls = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (ContextInternal loop : List.of(loopA, loopB)) {
        calls.add(call(loop, clients, upstream.actualPort()).await(10, TimeUnit.SECONDS));
      }
    }

    for (Call c : calls) {
      assertThat(c.body()).isEqualTo("ok");
      assertThat(c.responder()).as("response handled on the requesting loop").isSameAs(c.caller());
    }
    assertThat(calls.get(0).client()).isNotSameAs(calls.get(1).client());
    for (int i = 2; i < calls.size(); i++) {
      assertThat(calls.get(i).client()).as("call %d keeps its loop's client", i).isSameAs(calls.get(i % 2).client());
    }
    // a thread outside the event loops shares the first client instead of claiming one
    assertThat(clients.current()).isSameAs(calls.get(0).client());
    clients.shutdown(0).await(10, TimeUnit.SECONDS);
  }

  private static Future<Call> call(ContextInternal loop, LoopLocalClients clients, int port) {
    Promise<Call> done = Promise.promise();
    loop.runOnContext(v -> {
      Thread caller = Thread.currentThread();
      HttpClient client = clients.current();
      client.request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(req -> req.send())
          .compose(resp -> {
            Thread responder = Thread.currentThread();
            return resp.body().map(b -> new Call(client, caller, responder, b.toString()));
          })
          .onComplete(done);
    });
    return done.future();
  }
}
