package io.sidecar.fault.vertx;

import io.sidecar.fault.ResponseShape;
import io.sidecar.fault.SeededRandom;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A {@link WriteStream} that shapes a response body on its way to {@code dest} (typically the
 * downstream {@code HttpServerResponse}) as a {@link io.sidecar.fault.FaultDecision} says:
 * first-byte delay, bandwidth limit, slicer, truncation (then {@code abortConnection} runs, e.g.
 * {@code () -> request.connection().close()} or {@code response.reset()}), and slow close (the end
 * is held back). The proxy pipes the upstream body into it:
 *
 * <pre>
 * WriteStream&lt;Buffer&gt; out = decision.shape().isNone() &amp;&amp; decision.responseDelayNanos() == 0
 *     ? serverResponse
 *     : new ShapedWriteStream(vertx, serverResponse, decision.shape(), decision.responseDelayNanos(),
 *           () -&gt; serverRequest.connection().close(), random);
 * upstreamResponse.pipeTo(out);
 * </pre>
 *
 * Back-pressure: {@link #writeQueueFull()} is true while more than the write-queue size waits in the
 * pacing queue, and the drain handler runs when it has emptied, so a pipe pauses the upstream.
 * Use it on the context that owns {@code dest}.
 */
public final class ShapedWriteStream implements WriteStream<Buffer> {

  public static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 64 * 1024;

  private final WriteStream<Buffer> dest;
  private final ResponseShape shape;
  private final long firstByteDelayNanos;
  private final Runnable abortConnection;
  private final SeededRandom random;
  private final PacedQueue queue;
  private int maxQueued = DEFAULT_WRITE_QUEUE_MAX_SIZE;
  private long written;
  private boolean started;
  private boolean truncated;
  private boolean ended;
  private Handler<Void> drainHandler;

  public ShapedWriteStream(Vertx vertx, WriteStream<Buffer> dest, ResponseShape shape, long firstByteDelayNanos,
      Runnable abortConnection, SeededRandom random) {
    this.dest = dest;
    this.shape = shape;
    this.firstByteDelayNanos = firstByteDelayNanos;
    this.abortConnection = abortConnection;
    this.random = random;
    this.queue = new PacedQueue(vertx, dest);
    queue.onDrained(() -> {
      Handler<Void> h = drainHandler;
      if (h != null) h.handle(null);
    });
  }

  /** True once the body was cut by the truncate fault. */
  public boolean truncated() {
    return truncated;
  }

  private long earliest() {
    long now = queue.now();
    if (!started) {
      started = true;
      return now + firstByteDelayNanos;
    }
    return now;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (truncated || ended) return Future.succeededFuture();
    boolean cut = false;
    if (shape.truncateAfterBytes() >= 0) {
      long remaining = shape.truncateAfterBytes() - written;
      if (data.length() > remaining) {
        data = data.slice(0, (int) Math.max(0, remaining));
        cut = true;
      }
    }
    written += data.length();
    var slicer = shape.slicer();
    long due = queue.addPaced(data, earliest(), shape.bytesPerSecond(),
        slicer == null ? 0 : slicer.averageSize(), slicer == null ? 0 : slicer.sizeVariation(),
        slicer == null ? 0 : slicer.delay().toNanos(), random);
    if (cut) {
      truncated = true;
      queue.addAction(due, abortConnection);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    if (ended) return Future.succeededFuture();
    ended = true;
    if (truncated) return Future.succeededFuture();
    Promise<Void> done = Promise.promise();
    queue.addAction(queue.due(earliest()) + shape.slowCloseNanos(), () -> dest.end().onComplete(done));
    return done.future();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    dest.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    this.maxQueued = maxSize;
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return queue.queuedBytes() >= maxQueued;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }
}
