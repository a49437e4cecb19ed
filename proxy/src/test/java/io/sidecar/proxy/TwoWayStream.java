package io.sidecar.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/** Both ends of a large two-way stream: an echoing upstream and a client that streams a body while reading. */
final class TwoWayStream {
  private TwoWayStream() {}

  /**
   * An upstream that writes every request chunk straight back, pausing the request while its response is full.
   * {@code seen} counts request bytes; {@code onChunk} gets the count before and after each chunk.
   */
  static Handler<HttpServerRequest> echo(AtomicLong seen, BiConsumer<Long, Long> onChunk) {
    return req -> {
      req.response().setChunked(true);
      req.handler(chunk -> {
        long after = seen.addAndGet(chunk.length());
        onChunk.accept(after - chunk.length(), after);
        req.response().write(chunk);
        if (req.response().writeQueueFull()) {
          req.pause();
          req.response().drainHandler(v -> req.resume());
        }
      });
      req.endHandler(v -> req.response().end());
    };
  }

  /**
   * Sends {@code size} bytes in 64 KiB chunks as fast as the request's write queue allows, reads the response as it
   * arrives, and completes with the number of response bytes; {@code sent} and {@code received} show progress.
   */
  static Future<Long> send(HttpClient client, RequestOptions options, long size, AtomicLong sent, AtomicLong received) {
    return send(client, options, size, sent, received, false);
  }

  /** As {@link #send}; {@code chunked}: the body goes chunked (Transfer-Encoding), each write one chunk. */
  static Future<Long> send(HttpClient client, RequestOptions options, long size, AtomicLong sent, AtomicLong received,
                           boolean chunked) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    return client.request(chunked ? options : options.putHeader("content-length", Long.toString(size)))
        .compose(req -> {
          if (chunked) req.setChunked(true);
          Runnable[] pump = new Runnable[1];
          pump[0] = () -> {
            while (sent.get() < size && !req.writeQueueFull()) {
              sent.addAndGet(chunk.length());
              if (sent.get() >= size) req.end(chunk);
              else req.write(chunk);
            }
            if (sent.get() < size) req.drainHandler(v -> pump[0].run());
          };
          pump[0].run();
          return req.response();
        })
        .compose(resp -> {
          resp.handler(b -> received.addAndGet(b.length()));
          return resp.end().map(v -> received.get());
        });
  }
}
