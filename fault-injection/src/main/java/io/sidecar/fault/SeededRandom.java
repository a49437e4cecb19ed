package io.sidecar.fault;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe, allocation-free, seedable random source. The same seed and the same sequence of calls
 * give exactly the same values, so a fault run can be repeated.
 *
 * <p>Algorithm: SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014; the generator behind {@link java.util.SplittableRandom}). The state is a counter advanced
 * by the golden gamma with one atomic add, and each output is the mix64 finaliser of the new state, so
 * concurrent callers never lose or repeat a value.
 */
public final class SeededRandom {

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final double DOUBLE_UNIT = 0x1.0p-53;

  private final long seed;
  private final AtomicLong state;

  public SeededRandom(long seed) {
    this.seed = seed;
    this.state = new AtomicLong(seed);
  }

  /** A source seeded from the system's nano clock (not reproducible). */
  public static SeededRandom unseeded() {
    return new SeededRandom(System.nanoTime() ^ 0x5DEECE66DL);
  }

  public long seed() {
    return seed;
  }

  public long nextLong() {
    return mix64(state.addAndGet(GOLDEN_GAMMA));
  }

  /** Uniform in [0, 1), 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * DOUBLE_UNIT;
  }

  /** True with probability {@code percent / 100}; draws nothing for 0 and 100. */
  public boolean chance(double percent) {
    if (percent >= 100.0) return true;
    if (percent <= 0.0) return false;
    return nextDouble() * 100.0 < percent;
  }

  /**
   * Standard normal deviate by the Box-Muller transform (Box and Muller, 1958):
   * sqrt(-2 ln u1) * cos(2 pi u2) with u1 in (0, 1].
   */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** Uniform integer in [0, bound). */
  public int nextInt(int bound) {
    return (int) (nextDouble() * bound);
  }

  // Stafford's variant 13 of the MurmurHash3 finaliser, as in SplittableRandom.mix64.
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
