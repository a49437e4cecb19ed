package io.sidecar.predictor.stats;

import java.util.Arrays;

/**
 * A sliding window of the last {@code capacity} values kept both in arrival order (a ring) and sorted, so the
 * median, any quantile and the median absolute deviation (MAD) are available without sorting per query.
 *
 * <p>Insertion and eviction are a binary search plus one {@link System#arraycopy}: O(capacity) memory moves,
 * which for windows of a few thousand doubles is far cheaper than re-sorting. The MAD is found in O(n) by
 * walking outward from the median in the sorted array (the k-th smallest of |x - median| is the k-th element of
 * the merge of the two half-arrays ordered by distance). NaN values are ignored.
 *
 * <p>Not thread-safe: each detector owns its windows.
 */
public final class RobustWindow {
    /** Consistency constant that makes the MAD estimate sigma for normal data (Rousseeuw and Croux 1993). */
    public static final double MAD_TO_SIGMA = 1.4826;

    private final double[] ring;
    private final double[] sorted;
    private int size;
    private int head;

    public RobustWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.ring = new double[capacity];
        this.sorted = new double[capacity];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return ring.length;
    }

    public void clear() {
        size = 0;
        head = 0;
    }

    public void add(double value) {
        if (Double.isNaN(value)) {
            return;
        }
        if (size == ring.length) {
            double evicted = ring[head];
            int at = indexOf(evicted);
            System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
            size--;
            ring[head] = value;
            head = (head + 1) % ring.length;
        } else {
            ring[(head + size) % ring.length] = value;
        }
        int pos = Arrays.binarySearch(sorted, 0, size, value);
        if (pos < 0) {
            pos = -pos - 1;
        }
        System.arraycopy(sorted, pos, sorted, pos + 1, size - pos);
        sorted[pos] = value;
        size++;
    }

    private int indexOf(double value) {
        int pos = Arrays.binarySearch(sorted, 0, size, value);
        if (pos < 0) {
            throw new IllegalStateException("window corrupted: value " + value + " not found");
        }
        return pos;
    }

    /** Linear-interpolated quantile (type 7 of Hyndman and Fan 1996); NaN when empty. */
    public double quantile(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        double h = (size - 1) * Math.min(1, Math.max(0, q));
        int lo = (int) Math.floor(h);
        int hi = Math.min(size - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    public double median() {
        return quantile(0.5);
    }

    /** Median absolute deviation from the median (unscaled); NaN when empty. */
    public double mad() {
        if (size == 0) {
            return Double.NaN;
        }
        double med = median();
        // merge walk: left pointer moves down from the median, right pointer moves up
        int right = lowerBound(med);
        int left = right - 1;
        int k = size / 2; // 0-based index of the lower median of the deviations
        double last = 0;
        double prev = 0;
        for (int i = 0; i <= k; i++) {
            double dl = left >= 0 ? med - sorted[left] : Double.POSITIVE_INFINITY;
            double dr = right < size ? sorted[right] - med : Double.POSITIVE_INFINITY;
            prev = last;
            if (dl <= dr) {
                last = dl;
                left--;
            } else {
                last = dr;
                right++;
            }
        }
        if (size % 2 == 0 && size > 1) {
            return (prev + last) / 2;
        }
        return last;
    }

    /** Robust sigma: 1.4826 * MAD, falling back to 1.2533 * mean absolute deviation when the MAD is zero. */
    public double robustSigma() {
        double mad = mad();
        if (mad > 0 || size == 0) {
            return MAD_TO_SIGMA * mad;
        }
        double med = median();
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += Math.abs(sorted[i] - med);
        }
        // E|X - mu| = sigma * sqrt(2/pi) for normal data, hence the factor sqrt(pi/2) = 1.2533
        return 1.2533 * sum / size;
    }

    /** The i-th smallest value (0-based, {@code 0 <= i < size()}). */
    public double ordered(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size);
        }
        return sorted[i];
    }

    /** Number of values strictly greater than {@code value}. */
    public int countAbove(double value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return size - lo;
    }

    private int lowerBound(double value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Values in arrival order, oldest first. */
    public double[] toArray() {
        double[] out = new double[size];
        int start = size == ring.length ? head : head;
        for (int i = 0; i < size; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        return out;
    }
}
