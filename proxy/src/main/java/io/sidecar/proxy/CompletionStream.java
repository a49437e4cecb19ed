package io.sidecar.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Consumer;

/** A pass-through body stream that reports its end (or failure) once, so the balancer learns when a call ended. */
final class CompletionStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final Runnable onEnd;
  private final Consumer<Throwable> onFailure;

  CompletionStream(ReadStream<Buffer> source, Runnable onEnd, Consumer<Throwable> onFailure) {
    this.source = source;
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
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    source.handler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
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
