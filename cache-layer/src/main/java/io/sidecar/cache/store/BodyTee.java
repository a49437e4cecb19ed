package io.sidecar.cache.store;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Passes an origin body on unchanged while copying it for storage. Flow control is the consumer's (pause,
 * resume and fetch go to the origin stream). When the body grows beyond {@code maxBytes} the copy is dropped
 * and the rest still passes through: oversized objects are never truncated, only not stored. The storage
 * callback runs before the consumer sees the end, so a client that saw the end finds the entry stored.
 */
public final class BodyTee implements ReadStream<Buffer> {

  private static final System.Logger LOG = System.getLogger(BodyTee.class.getName());

  private final ReadStream<Buffer> source;
  private final long maxBytes;
  private final long expectedLength;
  private final Consumer<Buffer> onStored;
  private List<Buffer> chunks = new ArrayList<>();
  private int total;
  private boolean storing = true;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  /**
   * @param expectedLength the Content-Length, or -1: when known, the entry is stored as soon as the last byte
   *     arrives and before it is passed on, so a client that has the whole body finds the entry stored
   * @param onStored receives the complete body (off-heap), or null when it was not kept (too large, failed)
   */
  public BodyTee(ReadStream<Buffer> source, long maxBytes, long expectedLength, Consumer<Buffer> onStored) {
    this.source = source;
    this.maxBytes = maxBytes;
    this.expectedLength = expectedLength;
    this.onStored = onStored;
    source.pause();
    source.handler(this::onData);
    source.endHandler(v -> onEnd());
    source.exceptionHandler(this::onError);
  }

  private void onData(Buffer b) {
    if (storing) {
      if ((long) total + b.length() > maxBytes) {
        giveUp();
      } else {
        chunks.add(b);
        total += b.length();
        if (total == expectedLength) {
          complete();
        }
      }
    }
    Handler<Buffer> h = handler;
    if (h != null) {
      h.handle(b);
    }
  }

  private void complete() {
    storing = false;
    List<Buffer> parts = chunks;
    chunks = null;
    Buffer body;
    try {
      body = OffHeapBodies.of(parts, total);
    } catch (RuntimeException | OutOfMemoryError e) {
      body = null; // e.g. direct memory exhausted: pass through, do not store
    }
    deliver(body);
  }

  /** Storage problems must never disturb the body passing through. */
  private void deliver(Buffer body) {
    try {
      onStored.accept(body);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "storing a response failed", e);
    }
  }

  private void onEnd() {
    if (storing) {
      if (expectedLength >= 0 && total != expectedLength) {
        giveUp(); // shorter than announced: never store a truncated body
      } else {
        complete();
      }
    }
    Handler<Void> h = endHandler;
    if (h != null) {
      h.handle(null);
    }
  }

  private void onError(Throwable t) {
    giveUp();
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(t);
    }
  }

  private void giveUp() {
    if (storing) {
      storing = false;
      chunks = null;
      deliver(null);
    }
  }

  /** Bytes seen so far. */
  public int bytesSeen() {
    return total;
  }

  /** Reads the whole body for storage only (nobody downstream wants it). */
  public void drain() {
    handler = null;
    source.resume();
  }

  @Override
  public BodyTee exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public BodyTee handler(Handler<Buffer> h) {
    handler = h;
    return this;
  }

  @Override
  public BodyTee pause() {
    source.pause();
    return this;
  }

  @Override
  public BodyTee resume() {
    source.resume();
    return this;
  }

  @Override
  public BodyTee fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public BodyTee endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }
}
