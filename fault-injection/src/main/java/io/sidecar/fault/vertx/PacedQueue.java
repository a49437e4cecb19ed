package io.sidecar.fault.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Writes buffers to a {@link WriteStream} no earlier than each one's release time, in order, with
 * Vert.x timers; the engine behind {@link ShapedWriteStream} and the TCP toxics. Release times are
 * monotonic: {@link #due(long)} never returns a time before the last enqueued one, so pacing never
 * reorders bytes. Respects the destination's back-pressure (waits for its drain handler).
 *
 * <p>Not thread-safe: use it from the one context (event loop) that owns the streams.
 */
public final class PacedQueue {

  private record Entry(Buffer data, long due, Runnable action) {}

  private final Vertx vertx;
  private final WriteStream<Buffer> dest;
  private final LongSupplier nanoTime;
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long lastDue = Long.MIN_VALUE;
  private long timerId = -1;
  private long timerDue;
  private boolean waitingForDrain;
  private boolean closed;
  private Runnable onDrained = () -> {};

  public PacedQueue(Vertx vertx, WriteStream<Buffer> dest) {
    this(vertx, dest, System::nanoTime);
  }

  PacedQueue(Vertx vertx, WriteStream<Buffer> dest, LongSupplier nanoTime) {
    this.vertx = vertx;
    this.dest = dest;
    this.nanoTime = nanoTime;
  }

  public long now() {
    return nanoTime.getAsLong();
  }

  /** The release time for something that should go out no earlier than {@code earliest}. */
  public long due(long earliest) {
    return Math.max(lastDue, earliest);
  }

  public void add(Buffer data, long due) {
    if (closed) return;
    due = due(due);
    lastDue = due;
    queue.add(new Entry(data, due, null));
    queuedBytes += data.length();
    pump();
  }

  /** Runs {@code action} once everything before it is written and its time has come. */
  public void addAction(long due, Runnable action) {
    if (closed) return;
    due = due(due);
    lastDue = due;
    queue.add(new Entry(null, due, action));
    pump();
  }

  /**
   * Queues {@code chunk} paced: released no earlier than {@code earliest}; with a slicer
   * ({@code sliceSize} > 0) split into pieces of sliceSize +- sliceVariation bytes, each
   * {@code sliceDelayNanos} after the previous one (Toxiproxy's slicer); with a rate
   * ({@code bytesPerSecond} > 0) each piece leaves after its transmission time length / rate (and
   * pieces are at most 1/10 s worth of bytes so the rate stays smooth).
   *
   * @return the release time of the last piece
   */
  public long addPaced(Buffer chunk, long earliest, long bytesPerSecond, int sliceSize, int sliceVariation,
      long sliceDelayNanos, io.sidecar.fault.SeededRandom random) {
    long due = due(earliest);
    if (bytesPerSecond <= 0 && sliceSize <= 0) {
      if (chunk.length() > 0) add(chunk, due);
      return due;
    }
    int pos = 0;
    boolean first = true;
    while (pos < chunk.length()) {
      int size = chunk.length() - pos;
      if (sliceSize > 0) {
        int s = sliceSize + (sliceVariation == 0 ? 0 : random.nextInt(2 * sliceVariation + 1) - sliceVariation);
        size = Math.min(size, Math.max(1, s));
        if (!first) due += sliceDelayNanos;
      } else {
        size = (int) Math.min(size, Math.max(1, bytesPerSecond / 10));
      }
      if (bytesPerSecond > 0) due += size * 1_000_000_000L / bytesPerSecond;
      add(chunk.slice(pos, pos + size), due);
      pos += size;
      first = false;
    }
    return due;
  }

  public long queuedBytes() {
    return queuedBytes;
  }

  public boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Called whenever the queue has just become empty of data (for read-side back-pressure). */
  public void onDrained(Runnable r) {
    this.onDrained = r;
  }

  /** Drops everything queued and stops (the connection is gone). */
  public void close() {
    closed = true;
    queue.clear();
    queuedBytes = 0;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    timerId = -1;
  }

  private void pump() {
    if (waitingForDrain || closed) return;
    long now = now();
    while (!queue.isEmpty() && queue.peek().due <= now) {
      Entry e = queue.peek();
      if (e.data != null) {
        if (dest.writeQueueFull()) {
          waitingForDrain = true;
          dest.drainHandler(v -> {
            waitingForDrain = false;
            pump();
          });
          return;
        }
        queue.poll();
        queuedBytes -= e.data.length();
        dest.write(e.data);
        if (queuedBytes == 0) onDrained.run();
      } else {
        queue.poll();
        e.action.run();
        if (closed) return;
      }
    }
    if (!queue.isEmpty()) {
      long next = queue.peek().due;
      if (timerId >= 0 && timerDue <= next) return;
      if (timerId >= 0) vertx.cancelTimer(timerId);
      long delayMs = Math.max(1, (next - now + 999_999) / 1_000_000);
      timerDue = next;
      timerId = vertx.setTimer(delayMs, id -> {
        timerId = -1;
        pump();
      });
    }
  }
}
