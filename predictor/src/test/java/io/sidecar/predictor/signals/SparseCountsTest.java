package io.sidecar.predictor.signals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;
import org.junit.jupiter.api.Test;

class SparseCountsTest {

  private static AbstractHistogram histogram() {
    return new IntCountsHistogram(1, TrafficSignals.MAX_LATENCY_MICROS, 2);
  }

  @Test
  void addingTheBucketsBackGivesTheSameHistogram() {
    AbstractHistogram original = histogram();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      original.recordValue((long) Math.exp(random.nextGaussian() * 1.5 + Math.log(3_000)));
    }
    original.recordValueWithCount(1, 3);
    original.recordValue(TrafficSignals.MAX_LATENCY_MICROS);

    SparseCounts sparse = SparseCounts.of(original);
    AbstractHistogram copy = histogram();
    sparse.addTo(copy);

    assertThat(sparse.totalCount()).isEqualTo(5_004);
    assertThat(copy).isEqualTo(original);
    assertThat(copy.getMaxValue()).isEqualTo(original.getMaxValue());
    for (double p : new double[] {0, 50, 90, 99, 99.9, 100}) {
      assertThat(copy.getValueAtPercentile(p)).as("p%s", p).isEqualTo(original.getValueAtPercentile(p));
    }
  }

  @Test
  void keepsOnlyTheNonEmptyBucketsAndAddsToWhatIsThere() {
    AbstractHistogram original = histogram();
    original.recordValueWithCount(100, 4);
    original.recordValueWithCount(5_000, 2);
    original.recordValue(5_001); // same bucket as 5 000 at two significant digits
    SparseCounts sparse = SparseCounts.of(original);
    assertThat(sparse.buckets()).isEqualTo(2);

    AbstractHistogram sum = histogram();
    sum.recordValue(100);
    sparse.addTo(sum);
    sparse.addTo(sum);
    assertThat(sum.getTotalCount()).isEqualTo(15);
    assertThat(sum.getCountAtValue(100)).isEqualTo(9);
    assertThat(sum.getCountAtValue(5_000)).isEqualTo(6);
  }

  @Test
  void anEmptyHistogramHoldsNothing() {
    assertThat(SparseCounts.of(histogram())).isSameAs(SparseCounts.EMPTY);
    assertThat(SparseCounts.EMPTY.buckets()).isZero();
    assertThat(SparseCounts.EMPTY.totalCount()).isZero();
  }
}
