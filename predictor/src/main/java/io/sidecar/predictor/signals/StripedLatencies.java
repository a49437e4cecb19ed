package io.sidecar.predictor.signals;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.AbstractHistogram;

/**
 * Latencies recorded by several threads into one HdrHistogram, each thread through a small ring of its own.
 *
 * <p>Why not HdrHistogram's {@code Recorder}: every {@code recordValue} enters and leaves its writer-reader phaser
 * with atomic increments of fields that all writers share, and counts in a concurrent histogram with one more. Two
 * event loops recording the same route's and endpoint's latencies moved those cache lines between the cores on
 * every request (about 1.8 % of the sidecar's CPU samples, loadtest/README.md). Its two full histograms with long
 * counts were also the largest part of a {@link TrafficSignals} (47 of 273 KiB).
 *
 * <p>Here a thread that owns its {@link ThreadStripes stripe} writes the value into its ring (single producer:
 * a plain store and an ordered store of the head), and only when the ring is full takes the lock and moves the ring
 * into the histogram. {@link #drain} (the once-a-second tick) takes the same lock, moves every ring and hands the
 * histogram over. Threads without a stripe of their own record into the histogram under the lock.
 *
 * <p>Every value recorded before {@link #drain} reads a ring's head is in what it hands over; a value recorded
 * after it is in the next interval.
 */
final class StripedLatencies {
  /** Values per ring (a power of two): 1 KiB per recording thread, and the lock once per 256 values. */
  static final int RING = 256;
  private static final int MASK = RING - 1;

  /** The values moved out of the rings since the last {@link #drain}; guarded by this. */
  private final AbstractHistogram histogram;
  /** One ring per owned stripe, made by its thread at its first value. */
  private final AtomicReferenceArray<Ring> rings = new AtomicReferenceArray<>(ThreadStripes.OWNED);

  /** @param histogram empty; receives the values, so its range bounds what {@link #record} accepts */
  StripedLatencies(AbstractHistogram histogram) {
    this.histogram = histogram;
  }

  /**
   * Records {@code value} (0 ≤ value ≤ Integer.MAX_VALUE, within the histogram's range) from stripe
   * {@code stripe}, which must be the calling thread's ({@link ThreadStripes#current()}).
   */
  void record(int stripe, int value) {
    if (stripe >= ThreadStripes.OWNED) {
      synchronized (this) {
        histogram.recordValue(value);
      }
      return;
    }
    Ring ring = rings.getPlain(stripe); // this thread is the only one that sets its slot
    if (ring == null) {
      ring = new Ring();
      rings.setRelease(stripe, ring);
    }
    ring.put(value, this);
  }

  /** Every value recorded since the last call, and starts a new interval. */
  synchronized SparseCounts drain() {
    drainRings();
    SparseCounts counts = SparseCounts.of(histogram);
    histogram.reset();
    return counts;
  }

  private void drainRings() {
    for (int i = 0; i < rings.length(); i++) {
      Ring ring = rings.getAcquire(i);
      if (ring != null) {
        ring.moveTo(histogram);
      }
    }
  }

  /**
   * A single-producer ring. The owning thread writes values and advances {@code head}; whoever holds the
   * recorder's lock reads values and advances {@code tail}.
   */
  private static final class Ring {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        HEAD = lookup.findVarHandle(Ring.class, "head", long.class);
        TAIL = lookup.findVarHandle(Ring.class, "tail", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final int[] values = new int[RING];
    /** Values written so far; written by the owner only, read by the lock holder with acquire. */
    private long head;
    /** Values moved into the histogram so far; written under the recorder's lock, read by the owner with acquire. */
    private long tail;
    /** The owner's last look at {@code tail}: it reads the real one only when the ring looks full. */
    private long tailSeen;

    void put(int value, StripedLatencies owner) {
      long h = head;
      if (h - tailSeen == RING) {
        tailSeen = (long) TAIL.getAcquire(this);
        if (h - tailSeen == RING) {
          synchronized (owner) {
            moveTo(owner.histogram);
          }
          tailSeen = (long) TAIL.getAcquire(this);
        }
      }
      values[(int) h & MASK] = value;
      HEAD.setRelease(this, h + 1); // publishes the value to the lock holder's acquire of head
    }

    /** Called under the recorder's lock. */
    void moveTo(AbstractHistogram histogram) {
      long t = tail;
      long h = (long) HEAD.getAcquire(this);
      for (; t < h; t++) {
        histogram.recordValue(values[(int) t & MASK]);
      }
      TAIL.setRelease(this, t); // the owner may overwrite these slots once it sees the new tail
    }
  }
}
