package io.sidecar.predictor.signals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;
import org.junit.jupiter.api.Test;

class StripedLatenciesTest {

  private static AbstractHistogram histogram() {
    return new IntCountsHistogram(1, TrafficSignals.MAX_LATENCY_MICROS, 2);
  }

  private static AbstractHistogram merged(List<SparseCounts> drained) {
    AbstractHistogram h = histogram();
    drained.forEach(d -> d.addTo(h));
    return h;
  }

  @Test
  void aThreadThatFillsItsRingSeveralTimesLosesNothing() {
    StripedLatencies latencies = new StripedLatencies(histogram());
    AbstractHistogram expected = histogram();
    int values = StripedLatencies.RING * 5 + 17;
    for (int i = 1; i <= values; i++) {
      latencies.record(0, i);
      expected.recordValue(i);
    }
    assertThat(merged(List.of(latencies.drain()))).isEqualTo(expected);
    assertThat(latencies.drain().totalCount()).as("the next interval starts empty").isZero();
    latencies.record(0, 42);
    assertThat(latencies.drain().totalCount()).isEqualTo(1);
  }

  @Test
  void aThreadWithoutAStripeOfItsOwnRecordsUnderTheLock() {
    StripedLatencies latencies = new StripedLatencies(histogram());
    latencies.record(ThreadStripes.SHARED, 7);
    latencies.record(ThreadStripes.SHARED, 9);
    latencies.record(1, 11);
    assertThat(latencies.drain().totalCount()).isEqualTo(3);
  }

  /**
   * Owned stripes, the shared stripe from several threads at once, and a drain running all the while: every value
   * ends up in exactly one interval.
   */
  @Test
  void concurrentRecordersAndDrainsCountEveryValueOnce() throws Exception {
    StripedLatencies latencies = new StripedLatencies(histogram());
    int owned = Math.min(4, ThreadStripes.OWNED);
    int sharedThreads = 3;
    int perThread = 200_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean recording = new AtomicBoolean(true);
    List<SparseCounts> drained = new ArrayList<>();
    Thread drainer = new Thread(() -> {
      while (recording.get()) {
        drained.add(latencies.drain());
      }
    });
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < owned + sharedThreads; t++) {
      int stripe = t < owned ? t : ThreadStripes.SHARED;
      long seed = t;
      Thread w = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          latencies.record(stripe, 1 + random.nextInt(100_000));
        }
      });
      w.start();
      writers.add(w);
    }
    drainer.start();
    start.countDown();
    for (Thread w : writers) {
      w.join();
    }
    recording.set(false);
    drainer.join();
    drained.add(latencies.drain());

    AbstractHistogram expected = histogram();
    for (int t = 0; t < owned + sharedThreads; t++) {
      SplittableRandom random = new SplittableRandom(t);
      for (int i = 0; i < perThread; i++) {
        expected.recordValue(1 + random.nextInt(100_000));
      }
    }
    assertThat(drained.size()).as("drains that ran while recording").isGreaterThan(2);
    assertThat(merged(drained)).isEqualTo(expected);
  }
}
