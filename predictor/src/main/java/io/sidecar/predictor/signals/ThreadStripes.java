package io.sidecar.predictor.signals;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stripe a thread writes in {@link StripedCounters} and {@link StripedLatencies}: the first {@link #OWNED}
 * threads that record any signal get one each, for all instances, and keep it; later threads share {@link #SHARED}.
 * A stripe below {@link #OWNED} has one writer only, so its writes need no atomic instruction.
 */
final class ThreadStripes {
  /**
   * Stripes owned by one thread: enough for the event loops (one per core by default) and the few other threads
   * (timers, workers) that record.
   */
  static final int OWNED = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());
  /** The stripe of every thread after the first {@link #OWNED}: written with atomic instructions or a lock. */
  static final int SHARED = OWNED;

  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final ThreadLocal<Integer> STRIPE =
      ThreadLocal.withInitial(() -> Math.min(NEXT.getAndIncrement(), SHARED));

  private ThreadStripes() {}

  /** The calling thread's stripe. */
  static int current() {
    return STRIPE.get();
  }
}
