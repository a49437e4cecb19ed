package io.sidecar.predictor.anomaly;

import io.sidecar.predictor.stats.RobustWindow;

/**
 * Gradual-drift score on de-seasonalised values (observation minus the baseline's seasonal index). The
 * Holt-Winters baseline follows a slow drift, so its residuals never grow; this detector compares the recent
 * level with a <em>reference</em> level that stops adapting while a drift is suspected.
 * <ul>
 *   <li><b>test window</b>: the last {@code w} values; its median is the recent level.</li>
 *   <li><b>reference</b>: the {@code referenceLength} values (the longest calendar season that fits, a week of
 *       5-minute steps, so that a daily or weekly cycle the baseline has not modelled lies inside its range) that left the test window, fed only while nothing is
 *       suspected (no trend significant at one-sided 5 %, recent level inside the reference's 5 %..95 % range),
 *       so a drift cannot drag the reference along (the frozen reference of Page-Hinkley; Page 1954, Hinkley
 *       1971). The values held back join the reference when the suspicion ends without an alarm, or after a
 *       whole reference length of suspicion (the series has simply moved), so no phase of a cycle goes missing.
 *       Cleared (re-learnt from new values) after an alarm, after a level-shift alert of the detector, and when
 *       the baseline changes its season.</li>
 *   <li><b>excess</b>: how far the recent median lies outside the reference's 5 %..95 % range, in the
 *       reference's robust sigma (1.4826 MAD). Measuring from the range rather than the median keeps a series
 *       that routinely visits two levels (an unmodelled weekend) from alarming.</li>
 *   <li><b>trend gate</b>: the Mann-Kendall statistic over the last {@code referenceLength} values (long enough
 *       for a slow drift to show, and a whole cycle so an unmodelled daily or weekly cycle cancels out) must be significant
 *       at one-sided 0.5 % in the direction of the excess (Mann 1945, Kendall 1975), its variance inflated by
 *       (1 + r1) / (1 - r1) for the lag-1 autocorrelation r1 of the reference (the effective-sample-size
 *       correction of Hamed and Rao 1998 for AR(1), capped at 10). A level that jumped and stays flat is the
 *       CUSUM's business; this score is for a level that keeps moving.</li>
 * </ul>
 * Score: 1 - 10^(-excess / 2): 0.9 when the recent median is two robust sigmas outside the reference range. The
 * alarm (score reaching {@code alarmScore}) clears the reference so one drift gives one alarm.
 *
 * <p>Cost per point: O(referenceLength) for the Mann-Kendall update plus the sorted-window inserts; the
 * reference's lag-1 autocorrelation is recomputed every {@code w} unsuspected points (one copy of the reference).
 */
final class DriftDetector {
    static final double RANGE_LOW = 0.05;
    static final double RANGE_HIGH = 0.95;
    /** One-sided 5 % normal quantile: a trend this significant freezes the reference (suspicion). */
    static final double SUSPECT_Z = 1.645;
    /** One-sided 0.5 % normal quantile: a trend must be this significant to score. */
    static final double SCORE_Z = 2.576;
    static final double MAX_INFLATION = 10;
    /** Excess (in reference sigmas) that scores 0.9. */
    static final double EXCESS_90 = 2.0;

    private final int w;
    private final int mkLength;
    private final int minReference;
    private final double alarmScore;
    private final double minSigma;
    private final RobustWindow test;
    private final RobustWindow reference;
    /** The last mkLength values in arrival order (ring); the test window is its newest w. */
    private final double[] recent;
    private int recentHead;
    private int recentSize;
    private long mkS;
    private int frozenFor;
    private double r1;
    /** Values that left the test window while the reference was frozen, in order; see {@link #thaw()}. */
    private final double[] pending;
    private int pendingSize;
    private int sinceAutocorrelation;
    private int period = -1;

    /** One step: the score and what it was computed from (for the alert's explanation). */
    record Step(double score, double recentMedian, double referenceMedian, double rangeLow, double rangeHigh,
                double excess, double mannKendallZ, boolean alarm) {
        static final Step NONE = new Step(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, false);
    }

    /**
     * @param w test window length in points
     * @param referenceLength reference values needed before scoring (and kept)
     * @param alarmScore the score at which the reference is cleared (the alert threshold)
     * @param minSigma floor on the reference's sigma in the metric's unit
     */
    DriftDetector(int w, int referenceLength, double alarmScore, double minSigma) {
        this.w = w;
        this.mkLength = Math.max(2 * w, referenceLength);
        this.minReference = referenceLength;
        this.alarmScore = alarmScore;
        this.minSigma = minSigma;
        this.test = new RobustWindow(w);
        this.reference = new RobustWindow(referenceLength);
        this.recent = new double[mkLength];
        this.pending = new double[referenceLength];
    }

    /**
     * Feeds one de-seasonalised value.
     *
     * @param x observation minus the seasonal index (NaN: missing, skipped)
     * @param seasonPeriod the baseline's season in use; a change restarts the reference, since x changes meaning
     */
    Step observe(double x, int seasonPeriod) {
        if (seasonPeriod != period) {
            period = seasonPeriod;
            reset();
        }
        if (Double.isNaN(x)) {
            return Step.NONE;
        }
        push(x);
        if (reference.size() < minReference || recentSize < mkLength) {
            return Step.NONE;
        }
        double median = test.median();
        double lo = reference.quantile(RANGE_LOW);
        double hi = reference.quantile(RANGE_HIGH);
        double sigma = Math.max(Math.max(reference.robustSigma(), minSigma), 1e-9 * Math.abs(reference.median()));
        if (!(sigma > 0)) {
            return Step.NONE;
        }
        double excess = median > hi ? (median - hi) / sigma : median < lo ? (median - lo) / sigma : 0;
        if (frozenFor == 0 && ++sinceAutocorrelation >= w) {
            r1 = lag1Autocorrelation();
            sinceAutocorrelation = 0;
        }
        double z = mannKendallZ(r1);
        boolean trending = Math.abs(z) >= SUSPECT_Z;
        if (!trending && excess == 0) {
            thaw();
            return new Step(0, median, reference.median(), lo, hi, 0, z, false);
        }
        // suspected: stop feeding the reference so the drift cannot drag it along
        frozenFor++;
        boolean sameWay = Math.abs(z) >= SCORE_Z && Math.signum(z) == Math.signum(excess);
        double score = sameWay ? 1 - Math.pow(10, -Math.abs(excess) / EXCESS_90) : 0;
        boolean alarm = score >= alarmScore;
        Step step = new Step(score, median, reference.median(), lo, hi, excess, z, alarm);
        if (alarm) {
            reset();
        } else if (frozenFor > reference.capacity()) {
            thaw(); // suspected for a whole reference length without an alarm: the series has simply moved
        }
        return step;
    }

    /** Forgets the reference (after an alarm or a level shift found elsewhere): it is re-learnt from new values. */
    void reset() {
        reference.clear();
        pendingSize = 0;
        frozenFor = 0;
    }

    /**
     * Ends a suspicion without an alarm: the values held back go into the reference after all, in order, so the
     * reference does not lose the phases of a cycle during which suspicion tends to arise.
     */
    private void thaw() {
        for (int i = 0; i < pendingSize; i++) {
            reference.add(pending[i]);
        }
        pendingSize = 0;
        frozenFor = 0;
    }

    private void push(double x) {
        // the value leaving the test window becomes reference, or is held back while a drift is suspected
        if (recentSize >= w) {
            double leaving = recent[Math.floorMod(recentHead + recentSize - w, mkLength)];
            if (frozenFor == 0) {
                reference.add(leaving);
            } else if (pendingSize < pending.length) {
                pending[pendingSize++] = leaving;
            }
        }
        if (recentSize == mkLength) {
            double oldest = recent[recentHead];
            for (int i = 1; i < recentSize; i++) {
                mkS -= Long.signum(Double.compare(recent[(recentHead + i) % mkLength], oldest));
            }
            recentHead = (recentHead + 1) % mkLength;
            recentSize--;
        }
        for (int i = 0; i < recentSize; i++) {
            double earlier = recent[(recentHead + i) % mkLength];
            mkS += x > earlier ? 1 : x < earlier ? -1 : 0;
        }
        recent[(recentHead + recentSize) % mkLength] = x;
        recentSize++;
        test.add(x);
    }

    /** Mann-Kendall Z with continuity correction; variance n(n-1)(2n+5)/18 times the autocorrelation factor. */
    private double mannKendallZ(double r1) {
        double n = recentSize;
        double inflation = Math.min(MAX_INFLATION, (1 + r1) / (1 - r1));
        double var = n * (n - 1) * (2 * n + 5) / 18 * Math.max(1, inflation);
        double s = mkS - Math.signum(mkS);
        return s / Math.sqrt(var);
    }

    /** Lag-1 autocorrelation of the reference in arrival order, clamped to [0, 0.95]. */
    private double lag1Autocorrelation() {
        double[] r = reference.toArray();
        double mean = 0;
        for (double v : r) {
            mean += v;
        }
        mean /= r.length;
        double num = 0;
        double den = 0;
        for (int i = 0; i < r.length; i++) {
            double d = r[i] - mean;
            den += d * d;
            if (i > 0) {
                num += d * (r[i - 1] - mean);
            }
        }
        return den > 0 ? Math.max(0, Math.min(0.95, num / den)) : 0;
    }
}
