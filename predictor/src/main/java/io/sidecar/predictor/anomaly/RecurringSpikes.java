package io.sidecar.predictor.anomaly;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Memory of the spikes a metric had at each time of day, to discount a spike that recurs daily at about the same
 * time (a nightly job: a one-point CPU or network peak between 03:05 and 03:45 every night). The seasonal
 * baseline cannot learn such a spike (its phase jitters by a few steps, so no seasonal index holds it) and the
 * tail factor ignores a few points per thousand, so without this the job is alerted every night.
 *
 * <p>The idea is the comparison of a point with the same phase of earlier periods that seasonal anomaly detectors
 * make instead of judging it against the whole series: Twitter's seasonal hybrid ESD (Hochenbaum, Vallis and
 * Kejariwal 2017, "Automatic Anomaly Detection in the Cloud Via Statistical Learning"; the AnomalyDetection R
 * package) removes a seasonal component estimated per phase (STL, Cleveland et al. 1990) before testing for
 * outliers, so what every period does at that phase is not an anomaly. S-H-ESD's per-phase component is a
 * smoothed mean over all periods and cannot hold a spike that wanders by a few steps; here the phase is matched
 * with a tolerance instead, and only spikes are remembered (not the whole series): a spike is discounted when a
 * spike of the same sign occurred within {@code jitterSteps} steps of the same time of day on <em>each</em> of
 * the last {@code days} days, and it is no larger than {@link #LARGER_THAN_USUAL} times the largest of those.
 * So the first {@code days} occurrences still alert, a spike at another time still alerts, a spike much larger
 * than the job's usual one still alerts, and a job that skipped a day is alerted again until it has run
 * {@code days} days in a row. Only the spike score is discounted: a level shift starting at the job's time is
 * left to the CUSUM, which this memory does not touch.
 *
 * <p>Days are 86 400 s of the observations' own instants (UTC, no daylight-saving shift); the step is the median
 * of the last {@link #GAP_SAMPLES} positive gaps between observations (no discount before one is known). Pure
 * logic over the instants it is given (virtual time in tests, the row timestamps in replay); not thread-safe.
 */
final class RecurringSpikes {
    static final long DAY_SECONDS = 86_400;
    /**
     * A spike more than this many times the largest of its matches on the previous days is not the usual one: a
     * job's own peaks vary by some tens of percent from night to night; half as large again as the largest of
     * the last days is beyond that and well inside what an operator would call "bigger than the job". Chosen
     * before any measurement on real data, not fitted to it.
     */
    static final double LARGER_THAN_USUAL = 1.5;
    /** Gaps kept for the step estimate. */
    static final int GAP_SAMPLES = 31;
    /** Events kept at most (oldest dropped first), whatever the step: bounds memory for a very spiky metric. */
    static final int MAX_EVENTS = 4_096;

    /** A remembered spike: when (epoch seconds) and its centred residual in the metric's unit. */
    private record Event(double at, double residual) {
    }

    private final int days;
    private final int jitterSteps;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final double[] gaps = new double[GAP_SAMPLES];
    private int gapCount;
    private int gapHead;
    private double lastAt = Double.NaN;

    /**
     * @param days how many previous days in a row must have had a like spike (at least 1)
     * @param jitterSteps how many steps either side of the same time of day a like spike may be (at least 0)
     */
    RecurringSpikes(int days, int jitterSteps) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be >= 1, was " + days);
        }
        if (jitterSteps < 0) {
            throw new IllegalArgumentException("jitterSteps must be >= 0, was " + jitterSteps);
        }
        this.days = days;
        this.jitterSteps = jitterSteps;
    }

    /** Notes the instant of an observation (missing ones too), for the step estimate. */
    void time(Instant at) {
        double t = seconds(at);
        if (!Double.isNaN(lastAt) && t > lastAt) {
            gaps[gapHead] = t - lastAt;
            gapHead = (gapHead + 1) % GAP_SAMPLES;
            gapCount = Math.min(GAP_SAMPLES, gapCount + 1);
        }
        if (Double.isNaN(lastAt) || t > lastAt) {
            lastAt = t;
        }
    }

    /** The step estimate in seconds, NaN before the first gap. */
    double step() {
        if (gapCount == 0) {
            return Double.NaN;
        }
        double[] g = Arrays.copyOf(gaps, gapCount);
        Arrays.sort(g);
        return gapCount % 2 == 1 ? g[gapCount / 2] : (g[gapCount / 2 - 1] + g[gapCount / 2]) / 2;
    }

    /**
     * Whether a spike of this centred residual at this instant is the daily one: a spike of the same sign within
     * the jitter of the same time of day on each of the last {@code days} days, and this one no larger than
     * {@link #LARGER_THAN_USUAL} times the largest of them.
     */
    boolean recurring(Instant at, double residual) {
        double step = step();
        if (Double.isNaN(step) || residual == 0 || Double.isNaN(residual)) {
            return false;
        }
        double t = seconds(at);
        double tolerance = jitterSteps * step + step / 2;
        double usual = 0;
        for (int d = 1; d <= days; d++) {
            double centre = t - d * (double) DAY_SECONDS;
            double largest = 0;
            for (Event e : events) {
                if (Math.abs(e.at - centre) <= tolerance && Math.signum(e.residual) == Math.signum(residual)) {
                    largest = Math.max(largest, Math.abs(e.residual));
                }
            }
            if (largest == 0) {
                return false;
            }
            usual = Math.max(usual, largest);
        }
        return Math.abs(residual) <= LARGER_THAN_USUAL * usual;
    }

    /** Remembers a spike; forgets the ones too old to match any later point. */
    void remember(Instant at, double residual) {
        if (residual == 0 || Double.isNaN(residual)) {
            return;
        }
        double t = seconds(at);
        events.addLast(new Event(t, residual));
        double step = step();
        double horizon = days * (double) DAY_SECONDS + (jitterSteps + 1) * (Double.isNaN(step) ? 0 : step);
        Iterator<Event> it = events.iterator();
        while (it.hasNext()) {
            Event e = it.next();
            if (e.at < t - horizon || events.size() > MAX_EVENTS) {
                it.remove();
            } else {
                break;
            }
        }
    }

    /** Spikes remembered now (for tests). */
    int size() {
        return events.size();
    }

    private static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }
}
