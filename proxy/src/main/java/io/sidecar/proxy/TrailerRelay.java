package io.sidecar.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;

/**
 * The response body's destination, which hands the upstream's trailer fields to the downstream response just before
 * it ends. A pipe ends its destination once the source has ended, and a Vert.x response has its trailers by then
 * (HTTP/2 trailing HEADERS, HTTP/1.1 chunked trailer section); without this they were dropped, and gRPC carries its
 * status there ({@code grpc-status}, {@code grpc-message} and the service's trailing metadata).
 */
final class TrailerRelay implements WriteStream<Buffer> {
  private final WriteStream<Buffer> destination;
  private final HttpClientResponse upstream;
  private final HttpServerResponse downstream;

  TrailerRelay(WriteStream<Buffer> destination, HttpClientResponse upstream, HttpServerResponse downstream) {
    this.destination = destination;
    this.upstream = upstream;
    this.downstream = downstream;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    destination.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return destination.write(data);
  }

  @Override
  public Future<Void> end() {
    // Read only here: the response creates its trailer map on first use, and most responses have none.
    MultiMap trailers = upstream.trailers();
    if (trailers != null && !trailers.isEmpty()) HopByHopHeaders.copyEndToEnd(trailers, downstream.trailers());
    return destination.end();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    destination.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return destination.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    destination.drainHandler(handler);
    return this;
  }
}
