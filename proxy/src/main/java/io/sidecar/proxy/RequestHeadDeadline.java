package io.sidecar.proxy;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * How long a client may take to send a request head ({@code server.request_header_timeout}), so that a client
 * sending its head a byte at a time (slowloris) cannot hold a connection for {@code server.idle_timeout}.
 *
 * <p>As nginx's {@code client_header_timeout}: a connection's first head is timed from the accept, a later one
 * from the moment the sidecar starts reading it (its first byte, or, for a request pipelined behind one still
 * being answered, the end of that answer, as HAProxy's {@code timeout http-request}). When it expires, a head that
 * had begun gets {@code 408 Request Timeout} and the connection closes (HAProxy and Envoy answer so); a connection
 * that never sent a byte is closed without an answer, since a client may have opened it ahead of a request it has
 * not sent yet (HAProxy's {@code http-ignore-probes}). Between requests only {@code idle_timeout} applies.
 *
 * <p>Who reads the head says when it began and when it is whole: the byte-level path ({@link FastPathConnection})
 * or Vert.x's decoder ({@link RequestHeadTimeout}). HTTP/2 and upgraded connections {@link #stop} it: once the
 * connection preface or a 101 has passed, there is no HTTP/1.x head to wait for. One event loop owns it.
 */
final class RequestHeadDeadline {
  /** What an expiry does to the connection. */
  enum Expiry {
    /** No byte came: close without an answer. */
    CLOSE_QUIETLY,
    /** A head began and did not end in time: answer 408 and close. */
    REQUEST_TIMEOUT
  }

  private final LongSupplier clock;
  private final long timeoutNanos;
  private final LazyDeadline deadline;
  private final Consumer<Expiry> onExpiry;
  private boolean anyByte;
  /** A head is awaited and has begun (the first one is awaited from the accept). */
  private boolean headPending;

  RequestHeadDeadline(LongSupplier clock, LazyDeadline.Scheduler scheduler, long timeoutNanos, Consumer<Expiry> onExpiry) {
    this.clock = clock;
    this.timeoutNanos = timeoutNanos;
    this.onExpiry = onExpiry;
    this.deadline = new LazyDeadline(clock, scheduler, this::expired);
  }

  /** The connection was just accepted: its first head is awaited from now. */
  void accepted() {
    headPending = true;
    deadline.arm(clock.getAsLong(), timeoutNanos);
  }

  /** The client sent a byte (only the first call matters: it turns a quiet close into a 408). */
  void byteRead() {
    anyByte = true;
  }

  boolean sawByte() {
    return anyByte;
  }

  /** Bytes of a head are waiting for the rest of it: the clock runs, unless it already does for this head. */
  void headStarted() {
    if (headPending) return;
    headPending = true;
    anyByte = true;
    deadline.arm(clock.getAsLong(), timeoutNanos);
  }

  /** The head awaited is whole: no limit until the next one starts. */
  void headRead() {
    headPending = false;
    deadline.disarm();
  }

  /** No HTTP/1.x head will come any more (HTTP/2, an upgrade) or the connection closed. */
  void stop() {
    headPending = false;
    deadline.stop();
  }

  private void expired() {
    if (!headPending) return;
    stop();
    onExpiry.accept(anyByte ? Expiry.REQUEST_TIMEOUT : Expiry.CLOSE_QUIETLY);
  }
}
