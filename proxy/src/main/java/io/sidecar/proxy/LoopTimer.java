package io.sidecar.proxy;

import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot timer on the calling event loop, for the deadlines of a request (route timeout, per-try timeout,
 * hedge delay). Vert.x's {@code setTimer} registers each timer in a Vert.x-wide map under an id from a shared
 * counter and, inside a verticle, as a close hook too: three map updates and a contended atomic per request for
 * a timer that is almost always cancelled. This schedules on Netty's event loop directly and runs the task on
 * the caller's context. Unlike a verticle's Vert.x timer it is not cancelled when the verticle is undeployed, so
 * a request still in flight during a drain keeps its deadline.
 */
final class LoopTimer {
  private final ScheduledFuture<?> future;

  private LoopTimer(ScheduledFuture<?> future) {
    this.future = future;
  }

  /** Must be called on a Vert.x context thread (a request handler is); the task runs on that context. */
  static LoopTimer start(Vertx vertx, long delayMillis, Runnable task) {
    return on((ContextInternal) vertx.getOrCreateContext(), delayMillis, task);
  }

  /** As {@link #start}, on {@code context}: from a Netty handler of that context's loop, which has no current context. */
  static LoopTimer on(ContextInternal context, long delayMillis, Runnable task) {
    return new LoopTimer(context.nettyEventLoop().schedule(
        () -> context.emit(v -> task.run()), Math.max(1, delayMillis), TimeUnit.MILLISECONDS));
  }

  void cancel() {
    future.cancel(false);
  }
}
