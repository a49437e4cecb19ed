package io.sidecar.loadtest.realrun;

import java.util.random.RandomGenerator;

/**
 * Intended send times of an open-model load: a Poisson process of a fixed mean rate (exponential gaps), as the
 * balancer simulator's client sends (balancer/README.md, section Simulator). The times do not depend on how fast
 * responses come back, so a slow server cannot slow the load down (no coordinated omission: Gil Tene, "How NOT to
 * Measure Latency"). Not thread-safe: one sending thread draws the times.
 */
public final class PoissonArrivals {
  private final double meanGapNanos;
  private final RandomGenerator random;
  private double nextOffsetNanos;

  public PoissonArrivals(double ratePerSecond, RandomGenerator random) {
    if (!(ratePerSecond > 0)) throw new IllegalArgumentException("rate must be > 0, was " + ratePerSecond);
    this.meanGapNanos = 1e9 / ratePerSecond;
    this.random = random;
  }

  /** The next intended send time, in nanoseconds after the start of the run. */
  public long next() {
    // inverse transform of U(0,1]: -ln(U) is Exp(1); 1 - nextDouble() is never 0
    nextOffsetNanos += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
    return (long) nextOffsetNanos;
  }
}
