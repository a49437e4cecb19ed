package io.sidecar.loadtest.realrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoissonArrivalsTest {

  @Test
  void sendsTheRateOnAverageInIncreasingOrderAndTheSameSequenceForTheSameSeed() {
    PoissonArrivals arrivals = new PoissonArrivals(1000, new SplittableRandom(42));
    PoissonArrivals again = new PoissonArrivals(1000, new SplittableRandom(42));
    long tenSeconds = 10_000_000_000L;
    long count = 0;
    long previous = 0;
    for (long t = arrivals.next(); t < tenSeconds; t = arrivals.next()) {
      assertThat(t).isGreaterThanOrEqualTo(previous);
      assertThat(again.next()).isEqualTo(t);
      previous = t;
      count++;
    }
    // Poisson(10000): sd 100, so 5 sd is 500
    assertThat(count).isBetween(9_500L, 10_500L);
  }

  @Test
  void refusesARateThatIsNotPositive() {
    assertThatThrownBy(() -> new PoissonArrivals(0, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate");
  }
}
