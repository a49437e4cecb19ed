package io.sidecar.predictor.forecast;

import org.apache.commons.math3.complex.Complex;
import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Finds the season length of a series from its sample autocorrelation function (ACF).
 *
 * <p>Method (Hyndman and Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., section 2.8, and
 * Wang, Smith and Hyndman 2006, "Characteristic-based clustering for time series data"): remove a linear trend,
 * compute the ACF through the Wiener-Khinchin theorem (ACF = inverse FFT of the power spectrum, zero-padded to
 * avoid circular wrap, O(n log n)), then consider the local ACF peaks that are above {@link #DEFAULT_MIN_ACF}
 * and stand out by {@link #DEFAULT_MIN_PROMINENCE} above the lowest ACF value before them (see
 * {@link #detect(double[], int, int[])} for the choice among them). Slowly decaying ACFs of trends or random
 * walks have no such peak and report no season (0).
 */
public final class SeasonDetector {
    public static final double DEFAULT_MIN_ACF = 0.3;
    public static final double DEFAULT_MIN_PROMINENCE = 0.25;
    /** The shortest season considered. */
    public static final int MIN_LAG = 3;

    private SeasonDetector() {
    }

    /**
     * @param values the series, oldest first; NaN gaps are filled by linear interpolation
     * @param maxLag the longest season worth considering (callers pass at most n/2 so two seasons fit)
     * @return the season length, or 0 when the series has no clear season
     */
    public static int detect(double[] values, int maxLag) {
        return detect(values, maxLag, new int[0]);
    }

    /**
     * Season selection. Candidates: the strongest ACF peaks (above {@link #DEFAULT_MIN_ACF}, prominent by
     * {@link #DEFAULT_MIN_PROMINENCE}), each refined within +-3 % (ACF peaks of smooth seasons are broad), plus
     * the calendar periods in {@code preferred} (a day, a week in observations) whose ACF clears the threshold.
     * The winner is the candidate whose seasonal-naive forecast (y_t = y_{t-L}) has the lowest mean absolute
     * error, the criterion the forecasts are judged by; a longer season must beat a shorter one by 10 % (a
     * multiple of the true season fits about as well and costs more data).
     */
    public static int detect(double[] values, int maxLag, int[] preferred) {
        double[] acf = autocorrelation(values, maxLag);
        if (acf.length <= MIN_LAG + 1) {
            return 0;
        }
        double[] x = interpolated(values);
        java.util.List<Integer> candidates = new java.util.ArrayList<>();
        for (int peak : peakLags(acf, MAX_CANDIDATES)) {
            candidates.add(refine(x, peak, acf.length - 1));
        }
        for (int p : preferred) {
            if (p >= MIN_LAG && p < acf.length && acf[p] > DEFAULT_MIN_ACF && !candidates.contains(p)) {
                candidates.add(p);
            }
        }
        if (candidates.isEmpty()) {
            return 0;
        }
        candidates.sort(null);
        int best = 0;
        double bestMae = Double.POSITIVE_INFINITY;
        for (int lag : candidates) {
            double mae = naiveMae(x, lag);
            if (best == 0 || mae < 0.9 * bestMae) {
                best = lag;
                bestMae = mae;
            }
        }
        return best;
    }

    static final int MAX_CANDIDATES = 5;

    private static int refine(double[] x, int peak, int maxLag) {
        int radius = Math.max(1, (int) Math.round(peak * 0.03));
        int lo = Math.max(MIN_LAG, peak - radius);
        int hi = Math.min(maxLag, peak + radius);
        int best = peak;
        double bestMae = Double.POSITIVE_INFINITY;
        for (int lag = lo; lag <= hi; lag++) {
            double mae = naiveMae(x, lag);
            if (mae < bestMae) {
                bestMae = mae;
                best = lag;
            }
        }
        return best;
    }

    private static double naiveMae(double[] x, int lag) {
        double sum = 0;
        int n = 0;
        for (int i = lag; i < x.length; i++) {
            sum += Math.abs(x[i] - x[i - lag]);
            n++;
        }
        return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
    }

    /** Up to {@code limit} prominent local ACF peaks, strongest first. */
    private static java.util.List<Integer> peakLags(double[] acf, int limit) {
        java.util.List<Integer> peaks = new java.util.ArrayList<>();
        double minSoFar = acf[0];
        for (int lag = 1; lag < acf.length - 1; lag++) {
            minSoFar = Math.min(minSoFar, acf[lag]);
            if (lag < MIN_LAG) {
                continue;
            }
            boolean peak = acf[lag] >= acf[lag - 1] && acf[lag] > acf[lag + 1];
            if (peak && acf[lag] > DEFAULT_MIN_ACF && acf[lag] - minSoFar >= DEFAULT_MIN_PROMINENCE) {
                peaks.add(lag);
            }
        }
        peaks.sort((a, b) -> Double.compare(acf[b], acf[a]));
        return peaks.subList(0, Math.min(limit, peaks.size()));
    }

    /** The sample ACF at lags 0..maxLag (biased estimator, normalised by n, as in Box and Jenkins). */
    public static double[] autocorrelation(double[] values, int maxLag) {
        double[] x = detrended(interpolated(values));
        int n = x.length;
        int lags = Math.max(0, Math.min(maxLag, n - 1));
        if (n < 4) {
            return new double[0];
        }
        int size = Integer.highestOneBit(Math.max(1, 2 * n - 1));
        if (size < 2 * n) {
            size <<= 1;
        }
        double[] padded = new double[size];
        System.arraycopy(x, 0, padded, 0, n);
        FastFourierTransformer fft = new FastFourierTransformer(DftNormalization.STANDARD);
        Complex[] spectrum = fft.transform(padded, TransformType.FORWARD);
        for (int i = 0; i < spectrum.length; i++) {
            double re = spectrum[i].getReal();
            double im = spectrum[i].getImaginary();
            spectrum[i] = new Complex(re * re + im * im, 0);
        }
        Complex[] corr = fft.transform(spectrum, TransformType.INVERSE);
        double c0 = corr[0].getReal();
        double[] acf = new double[lags + 1];
        if (c0 <= 0) {
            return acf;
        }
        for (int k = 0; k <= lags; k++) {
            acf[k] = corr[k].getReal() / c0;
        }
        return acf;
    }

    static double[] interpolated(double[] values) {
        double[] out = values.clone();
        int n = out.length;
        int lastGood = -1;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(out[i])) {
                if (lastGood >= 0 && i - lastGood > 1) {
                    double a = out[lastGood];
                    double b = out[i];
                    for (int j = lastGood + 1; j < i; j++) {
                        out[j] = a + (b - a) * (j - lastGood) / (i - lastGood);
                    }
                } else if (lastGood < 0) {
                    for (int j = 0; j < i; j++) {
                        out[j] = out[i];
                    }
                }
                lastGood = i;
            }
        }
        if (lastGood < 0) {
            return new double[0];
        }
        for (int j = lastGood + 1; j < n; j++) {
            out[j] = out[lastGood];
        }
        return out;
    }

    /** Subtracts the least-squares line. */
    static double[] detrended(double[] x) {
        int n = x.length;
        if (n < 2) {
            return x.clone();
        }
        double mt = (n - 1) / 2.0;
        double my = 0;
        for (double v : x) {
            my += v;
        }
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (i - mt) * (x[i] - my);
            sxx += (i - mt) * (i - mt);
        }
        double slope = sxy / sxx;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = x[i] - my - slope * (i - mt);
        }
        return out;
    }
}
