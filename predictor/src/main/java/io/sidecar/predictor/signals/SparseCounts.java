package io.sidecar.predictor.signals;

import java.util.Arrays;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The non-empty buckets of an HdrHistogram, immutable: how {@link TrafficSignals} keeps its 1-second and 10-second
 * windows. A latency histogram from 1 µs to 600 s at two significant digits has 2 944 buckets (11.5 KiB of int
 * counts), of which one second of traffic fills a few hundred at most; an idle endpoint's window fills none.
 *
 * <p>Each bucket is kept as its highest equivalent value, which {@link #addTo} records again into the same bucket of
 * a histogram of the same range and precision, so percentiles, counts and the maximum read from the merged
 * histogram are exactly those of the original histograms.
 */
final class SparseCounts {
  static final SparseCounts EMPTY = new SparseCounts(new int[0], new int[0]);

  /** Highest equivalent value of each non-empty bucket, ascending. */
  private final int[] values;
  private final int[] counts;

  private SparseCounts(int[] values, int[] counts) {
    this.values = values;
    this.counts = counts;
  }

  /**
   * The non-empty buckets of {@code histogram}, whose values must fit an int (TrafficSignals records at most
   * 600 s in microseconds) and whose bucket counts must fit an int.
   */
  static SparseCounts of(AbstractHistogram histogram) {
    if (histogram.getTotalCount() == 0) {
      return EMPTY;
    }
    int[] values = new int[64];
    int[] counts = new int[64];
    int n = 0;
    for (HistogramIterationValue v : histogram.recordedValues()) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
        counts = Arrays.copyOf(counts, n * 2);
      }
      values[n] = Math.toIntExact(v.getValueIteratedTo());
      counts[n] = Math.toIntExact(v.getCountAtValueIteratedTo());
      n++;
    }
    return new SparseCounts(Arrays.copyOf(values, n), Arrays.copyOf(counts, n));
  }

  /** Adds these counts to {@code histogram} (same range and precision as the one they came from). */
  void addTo(AbstractHistogram histogram) {
    for (int i = 0; i < values.length; i++) {
      histogram.recordValueWithCount(values[i], counts[i]);
    }
  }

  long totalCount() {
    long total = 0;
    for (int count : counts) {
      total += count;
    }
    return total;
  }

  /** Non-empty buckets held. */
  int buckets() {
    return values.length;
  }
}
