package io.sidecar.predictor.signals;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of long counters that several threads add to, each thread in a stripe of its own.
 *
 * <p>Why not one {@link java.util.concurrent.atomic.LongAdder} per counter: the proxy's event loops record every
 * request in the same route's and endpoint's signals. A LongAdder spreads over cells only after two threads
 * collided on it in the very same instant, which two event loops seldom do, so it stays on its one base field and
 * that cache line moves between the cores on every request. In A/B runs of two warm sidecars, the CPU per proxied
 * request was about 5 % lower without those increments at all, and about 2 % lower with them in stripes
 * (loadtest/README.md, "Shared cache lines").
 *
 * <p>Each thread adds in its {@link ThreadStripes stripe}: a stripe written by one thread only needs no atomic
 * instruction, just an ordered store; the shared stripe of the threads after those takes atomic adds. A stripe is
 * padded to whole cache lines. {@link #sum} adds the stripes up; like LongAdder's, it is not an atomic snapshot: an
 * add that runs while it sums may or may not be in the total.
 */
final class StripedCounters {
  private static final int SHARED_STRIPE = ThreadStripes.SHARED;
  /** Longs per cache line (64 bytes), and one line of padding before the first stripe. */
  private static final int LINE = 8;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  private final int counters;
  /** Longs per stripe: the counters rounded up to whole cache lines. */
  private final int stride;
  private final long[] slots;

  StripedCounters(int counters) {
    if (counters < 1) throw new IllegalArgumentException("counters must be at least 1: " + counters);
    this.counters = counters;
    this.stride = (counters + LINE - 1) / LINE * LINE;
    this.slots = new long[LINE + (SHARED_STRIPE + 1) * stride + LINE];
  }

  /** Adds {@code x} to counter {@code counter} in the calling thread's stripe. */
  void add(int counter, long x) {
    add(ThreadStripes.current(), counter, x);
  }

  /**
   * Adds {@code x} to counter {@code counter} in stripe {@code stripe}, which must be the calling thread's
   * ({@link ThreadStripes#current()}, looked up once by a caller that adds several counters).
   */
  void add(int stripe, int counter, long x) {
    if (counter < 0 || counter >= counters) throw new IndexOutOfBoundsException(counter);
    int i = LINE + stripe * stride + counter;
    if (stripe == SHARED_STRIPE) {
      SLOT.getAndAdd(slots, i, x);
    } else {
      // this thread is the stripe's only writer; the release store makes the new value visible to sum()
      SLOT.setRelease(slots, i, (long) SLOT.getOpaque(slots, i) + x);
    }
  }

  void increment(int counter) {
    add(counter, 1);
  }

  /** Counter {@code counter} summed over the stripes. */
  long sum(int counter) {
    if (counter < 0 || counter >= counters) throw new IndexOutOfBoundsException(counter);
    long total = 0;
    for (int stripe = 0; stripe <= SHARED_STRIPE; stripe++) {
      total += (long) SLOT.getAcquire(slots, LINE + stripe * stride + counter);
    }
    return total;
  }
}
