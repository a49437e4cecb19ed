package io.sidecar.fault;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Enforces an experiment's blast radius: of the requests in the experiment's scope (those matching
 * any of its rules' match), at most {@code maxPercent} % are affected. A fault that would push
 * {@code affected / seen} above the limit is skipped for that request, so the cap holds at every
 * moment, not just on average: affected <= maxPercent / 100 * seen.
 */
public final class BlastRadius {

  private final double maxPercent;
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong affected = new AtomicLong();

  public BlastRadius(double maxPercent) {
    this.maxPercent = maxPercent;
  }

  public double maxPercent() {
    return maxPercent;
  }

  void countSeen() {
    seen.incrementAndGet();
  }

  /** Reserves one affected request if that keeps affected / seen within the limit. */
  boolean tryAffect() {
    if (maxPercent >= 100.0) {
      affected.incrementAndGet();
      return true;
    }
    while (true) {
      long a = affected.get();
      if ((a + 1) * 100.0 > maxPercent * seen.get()) return false;
      if (affected.compareAndSet(a, a + 1)) return true;
    }
  }

  public long seen() {
    return seen.get();
  }

  public long affected() {
    return affected.get();
  }
}
