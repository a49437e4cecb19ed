package io.sidecar.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Consumer;

/**
 * Passes a request body through unchanged, counting bytes; past {@code limit} it stops forwarding and calls
 * {@code onExceeded} once (the exchange then answers 413 and resets the upstream request). What the body itself fails
 * with goes to {@code onFailure} first: a pipe's failure does not tell it apart from its destination's.
 */
final class BodyLimitStream extends ForwardingReadStream {
  private final long limit;
  private final Runnable onExceeded;
  private long seen;
  private boolean exceeded;
  private final Consumer<Throwable> onFailure;

  BodyLimitStream(ReadStream<Buffer> source, long limit, Runnable onExceeded, Consumer<Throwable> onFailure) {
    super(source);
    this.limit = limit;
    this.onExceeded = onExceeded;
    this.onFailure = onFailure;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      source.handler(null);
      return this;
    }
    source.handler(chunk -> {
      if (admits(chunk)) handler.handle(chunk);
    });
    return this;
  }

  /**
   * Counts {@code chunk} (one read before this stream was piped, or one of its own) against the limit; false once
   * the limit is passed, when {@code onExceeded} has run.
   */
  boolean admits(Buffer chunk) {
    if (exceeded) return false;
    seen += chunk.length();
    if (seen > limit) {
      exceeded = true;
      onExceeded.run();
      return false;
    }
    return true;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(handler == null ? null : failure -> {
      onFailure.accept(failure);
      handler.handle(failure);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    source.endHandler(endHandler == null ? null : v -> {
      if (!exceeded) endHandler.handle(v);
    });
    return this;
  }
}
