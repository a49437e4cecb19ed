package io.sidecar.proxy;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A deadline that moves far more often than it fires: a request timeout re-armed by every request of a keep-alive
 * connection, an idle timeout pushed back by every read. Arming writes two fields; one timer task per owner is
 * pending at a time, and when it fires before the current deadline it schedules itself again for that deadline, the
 * way Netty's {@code IdleStateHandler} keeps its timer. A timer task per request would cost an object, a place in
 * the event loop's priority queue and a removal from it on every request.
 *
 * <p>The task fires no later than the deadline (plus the loop's delay) and the expiry runs only once the clock has
 * reached it. Times are {@code System.nanoTime()}-like: compared by difference, so wrap-around is harmless. One
 * event loop owns it; nothing here is thread-safe.
 */
final class LazyDeadline implements Runnable {
  /** Runs a task after a delay; what it returns cancels the task. */
  interface Scheduler {
    Runnable schedule(Runnable task, long delayNanos);
  }

  private final LongSupplier clock;
  private final Scheduler scheduler;
  private final Runnable onExpiry;
  private boolean armed;
  private long deadline;
  /** Cancels the pending task, or null when none is. */
  private Runnable cancelPending;
  private long pendingAt;
  private boolean stopped;

  LazyDeadline(LongSupplier clock, Scheduler scheduler, Runnable onExpiry) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.onExpiry = onExpiry;
  }

  /** A deadline on {@code executor}'s timer and {@code System.nanoTime()}. */
  static LazyDeadline on(EventExecutor executor, Runnable onExpiry) {
    return new LazyDeadline(System::nanoTime, timerOf(executor), onExpiry);
  }

  /** {@code executor}'s timer as a {@link Scheduler}. */
  static Scheduler timerOf(EventExecutor executor) {
    return (task, delayNanos) -> {
      var future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    };
  }

  /** Expires {@code delayNanos} after {@code nowNanos}, replacing any deadline armed before, unless disarmed first. */
  void arm(long nowNanos, long delayNanos) {
    if (stopped) return;
    armed = true;
    deadline = nowNanos + delayNanos;
    if (cancelPending == null || deadline - pendingAt < 0) schedule(nowNanos);
  }

  /** No deadline until the next {@link #arm}; a pending task finds nothing to do. */
  void disarm() {
    armed = false;
  }

  /** For good: the owner is gone. */
  void stop() {
    stopped = true;
    armed = false;
    if (cancelPending != null) {
      cancelPending.run();
      cancelPending = null;
    }
  }

  boolean isArmed() {
    return armed;
  }

  @Override
  public void run() {
    cancelPending = null;
    if (!armed) return;
    long now = clock.getAsLong();
    if (now - deadline >= 0) {
      armed = false;
      onExpiry.run();
    } else {
      schedule(now);
    }
  }

  private void schedule(long nowNanos) {
    if (cancelPending != null) cancelPending.run();
    pendingAt = deadline;
    cancelPending = scheduler.schedule(this, Math.max(0, deadline - nowNanos));
  }
}
