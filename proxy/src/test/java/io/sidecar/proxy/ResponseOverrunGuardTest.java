package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.Promise;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An origin whose response body is longer than its Content-Length (the http-tests/cache-tests origin does this
 * for its Content-Length tests) must not break the next request sent to it: before, the pooled connection was
 * reused and the next response was read behind the leftover bytes ("invalid version format", a 502).
 */
class ResponseOverrunGuardTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * Every request runs on this one context. Called from the test thread, each request got a fresh context, its
   * response callbacks could run after the body had already been delivered to no handler, and under CPU load the
   * third request now and then waited for a body that had come and gone (5 in 300 runs beside three busy loops).
   */
  private final Context context = vertx.getOrCreateContext();

  private record Seen(int connection, String path) {}

  @Test
  void aResponseLongerThanItsContentLengthDoesNotSpoilTheNextRequestOnThatConnection() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    AtomicInteger connections = new AtomicInteger();
    NetServer origin = vertx.createNetServer().connectHandler(socket -> {
      int id = connections.incrementAndGet();
      StringBuilder in = new StringBuilder();
      socket.handler(data -> {
        in.append(data.toString(StandardCharsets.ISO_8859_1));
        int end;
        while ((end = in.indexOf("\r\n\r\n")) >= 0) {
          String path = in.substring(0, end).split(" ")[1];
          in.delete(0, end + 4);
          seen.add(new Seen(id, path));
          // /long: Content-Length 10, but 36 body bytes, all in one write as a buggy origin sends them
          String body = path.equals("/long") ? "0123456789ABCDEF-0123-4567-89AB-CDEF" : "ok " + path;
          int length = path.equals("/long") ? 10 : body.length();
          socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + length + "\r\n\r\n"
              + body);
        }
      });
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    LoopLocalClients clients = new LoopLocalClients(vertx, new HttpClientOptions().setKeepAlive(true)
        .setDefaultHost("127.0.0.1").setDefaultPort(origin.actualPort()), new PoolOptions().setHttp1MaxSize(1));
    HttpClient client = clients.current();

    assertThat(get(client, "/long")).isEqualTo("200 0123456789");
    assertThat(get(client, "/next")).isEqualTo("200 ok /next");
    assertThat(get(client, "/after")).isEqualTo("200 ok /after");

    assertThat(seen).extracting(Seen::path).containsExactly("/long", "/next", "/after");
    assertThat(seen.get(1).connection()).as("the overrun connection is not reused").isNotEqualTo(seen.get(0).connection());
    assertThat(seen.get(2).connection()).as("a clean connection still is").isEqualTo(seen.get(1).connection());
  }

  private String get(HttpClient client, String path) throws Exception {
    Promise<String> result = Promise.promise();
    context.runOnContext(v -> client.request(HttpMethod.GET, path)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> status(resp, body)))
        .onComplete(result));
    return result.future().await(10, TimeUnit.SECONDS);
  }

  private static String status(HttpClientResponse resp, Buffer body) {
    return resp.statusCode() + " " + body.toString(StandardCharsets.ISO_8859_1);
  }
}
