package io.sidecar.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Consumer;

/** A pass-through body stream that reports its end (or failure), so the balancer learns when a call ended. */
final class CompletionStream extends ForwardingReadStream {
  private final Runnable onEnd;
  private final Consumer<Throwable> onFailure;

  CompletionStream(ReadStream<Buffer> source, Runnable onEnd, Consumer<Throwable> onFailure) {
    super(source);
    this.onEnd = onEnd;
    this.onFailure = onFailure;
    source.exceptionHandler(onFailure::accept);
    source.endHandler(v -> onEnd.run());
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(err -> {
      onFailure.accept(err);
      if (handler != null) handler.handle(err);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    source.endHandler(v -> {
      onEnd.run();
      if (endHandler != null) endHandler.handle(v);
    });
    return this;
  }
}
