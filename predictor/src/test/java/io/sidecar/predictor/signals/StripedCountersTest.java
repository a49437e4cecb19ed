package io.sidecar.predictor.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StripedCountersTest {

  @Test
  void countersAreIndependentAndTakeNegativeAdds() {
    StripedCounters counters = new StripedCounters(3);
    counters.increment(0);
    counters.increment(0);
    counters.add(1, 40);
    counters.add(1, -2);
    assertThat(counters.sum(0)).isEqualTo(2);
    assertThat(counters.sum(1)).isEqualTo(38);
    assertThat(counters.sum(2)).isZero();
  }

  @Test
  void nineCountersSpanTwoCacheLinesPerStripeWithoutOverlap() {
    StripedCounters counters = new StripedCounters(9);
    for (int c = 0; c < 9; c++) counters.add(c, c + 1);
    for (int c = 0; c < 9; c++) assertThat(counters.sum(c)).isEqualTo(c + 1);
  }

  /**
   * Owned stripes written by one thread each (ordered stores), and several threads at once on the shared stripe,
   * whose adds must be atomic. Stripes are given explicitly: which ones the threads of this JVM were dealt depends on
   * the tests that ran before.
   */
  @Test
  void concurrentAddsOnOwnedStripesAndTheSharedOneAreAllCounted() throws Exception {
    StripedCounters counters = new StripedCounters(2);
    int owned = Math.min(4, ThreadStripes.OWNED);
    int sharedThreads = 6;
    int adds = 50_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < owned + sharedThreads; t++) {
      int stripe = t < owned ? t : ThreadStripes.SHARED;
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < adds; i++) {
          counters.add(stripe, 0, 1);
          counters.add(stripe, 1, 3);
        }
      });
      thread.start();
      started.add(thread);
    }
    start.countDown();
    for (Thread thread : started) thread.join();
    assertThat(counters.sum(0)).isEqualTo((long) (owned + sharedThreads) * adds);
    assertThat(counters.sum(1)).isEqualTo(3L * (owned + sharedThreads) * adds);
  }

  @Test
  void aCounterOutsideTheSetIsRefused() {
    StripedCounters counters = new StripedCounters(2);
    assertThatThrownBy(() -> counters.increment(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> counters.sum(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> new StripedCounters(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
