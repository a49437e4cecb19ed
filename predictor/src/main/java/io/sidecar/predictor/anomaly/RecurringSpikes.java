package io.sidecar.predictor.anomaly;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
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
 * spike of the same sign occurred within the tolerance of the same time of day on at least {@code days} of the
 * last {@code windowDays} days, and it is no larger than {@link #LARGER_THAN_USUAL} times the largest of those.
 * So the first {@code days} occurrences still alert, a spike at another time still alerts, a spike much larger
 * than the job's usual one still alerts. Only the spike score is discounted: a level shift starting at the job's
 * time is left to the CUSUM, which this memory does not touch.
 *
 * <p><b>Days of a window, not days in a row</b> (fix J). Requiring each of the last {@code days} days made a job
 * that runs on weekdays only alert again on Monday, Tuesday and Wednesday after every weekend, and a job that
 * skipped one night alert for the next three: schedulers skip runs (a holiday calendar, a failed or
 * already-running predecessor, a maintenance night), and an operator does not expect a job seen on most nights of
 * the week to become "new" because one night was missed. A week is the window by default because it is the
 * longest calendar cycle such schedules follow (cron's day-of-week field; weekday-only batch jobs): any job run on
 * at least {@code days} of the last seven days is recognised, a Monday run matches the previous Wednesday,
 * Thursday and Friday. With {@code windowDays == days} the rule is the old one (each of the last days).
 *
 * <p><b>A tolerance in time of day, not in steps</b> (fix J). A job's jitter is a property of the scheduler and
 * of the job's run time (the 03:05-03:45 window of NAB's ec2_cpu_utilization_24ae8d), not of the metric's
 * sampling: the same job wanders by the same minutes whether it is sampled every minute or every hour. A tolerance
 * in steps was ±6 minutes on the live 1-minute roll-ups (too narrow for that job) and ±6 hours on hourly data (half
 * the day: a spike three hours after a daily one was taken for it). The tolerance is therefore
 * {@code max(jitter, one step) + half a step}: the jitter as configured, at least the neighbouring sample (a job
 * run at about 03:55 falls in the 03:00 hourly bucket one day and in the 04:00 one the next), and half a step for
 * where within its step a sample's instant lies (as before). Hourly data thus matches the same or the neighbouring
 * hour, never two hours away. The default jitter, 30 minutes, is fix I's 6 steps at the 5-minute step that default
 * was chosen for, so 5-minute data is matched exactly as before; it was not fitted to any file.
 *
 * <p>The older form, a number of steps ({@code jitterSteps >= 0}, tolerance {@code jitterSteps * step + step / 2}),
 * is kept exactly for configurations that give it. Giving both forms is rejected with an error naming the path
 * rather than letting one silently win: they are one setting, and an operator who adds the duration while the old
 * key is still in the file could not tell from the file which tolerance is in force.
 *
 * <p><b>Time of day in a zone</b> (fix J). Days are 86 400 s of wall-clock time in {@code zone} (UTC by default,
 * where wall-clock time is the instant itself): an instant is placed on the zone's local time line (its epoch
 * seconds plus the zone's offset at that instant), so a job that cron starts at 03:05 local time stays at 03:05
 * across a daylight-saving change, where in UTC it moves by an hour, beyond a 30-minute tolerance, and would alert
 * again for {@code days} nights. In the hour a clock repeats (autumn), two instants share a local time; a job run
 * once in that hour is still one event. An event is counted for the whole number of days nearest to its local
 * distance from now, so one event never counts for two days. The step is
 * the median of the last {@link #GAP_SAMPLES} positive gaps between observations (no discount before one is
 * known). Events older than the window plus the tolerance are dropped, and at most {@link #MAX_EVENTS} are kept.
 * Pure logic over the instants it is given (virtual time in tests, the row timestamps in replay); not
 * thread-safe.
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

    /** A remembered spike: when (seconds on the zone's local time line) and its centred residual. */
    private record Event(double at, double residual) {
    }

    private final int days;
    private final int windowDays;
    /** Tolerance in seconds of time of day (before the one-step floor), NaN when given in steps. */
    private final double jitterSeconds;
    /** Tolerance in steps (the older form), -1 when given as a duration. */
    private final int jitterSteps;
    /** Rules of the zone, null for UTC (no offset to add). */
    private final ZoneRules rules;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final double[] gaps = new double[GAP_SAMPLES];
    private int gapCount;
    private int gapHead;
    private double lastAt = Double.NaN;

    /**
     * @param days on how many of the last {@code windowDays} days a like spike must have occurred (at least 1)
     * @param windowDays how many previous days are looked at (at least {@code days})
     * @param jitter how far from the same time of day a like spike may be (at least one step is always allowed);
     *               null when {@code jitterSteps} is given instead
     * @param jitterSteps the older form of the tolerance, in steps (at least 0), or -1 when {@code jitter} is given
     * @param zone the time zone whose wall-clock time of day is compared
     */
    RecurringSpikes(int days, int windowDays, Duration jitter, int jitterSteps, ZoneId zone) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be >= 1, was " + days);
        }
        if (windowDays < days) {
            throw new IllegalArgumentException("windowDays must be >= days (" + days + "), was " + windowDays);
        }
        if ((jitter == null) == (jitterSteps < 0)) {
            throw new IllegalArgumentException("give exactly one of jitter (" + jitter + ") and jitterSteps ("
                    + jitterSteps + ")");
        }
        if (jitter != null && jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must be >= 0, was " + jitter);
        }
        this.days = days;
        this.windowDays = windowDays;
        this.jitterSeconds = jitter == null ? Double.NaN : jitter.toNanos() / 1e9;
        this.jitterSteps = jitterSteps;
        this.rules = zone == null || zone.normalized().equals(ZoneOffset.UTC) ? null : zone.getRules();
    }

    /** UTC days, as in the tests of the tolerance and the window. */
    RecurringSpikes(int days, int windowDays, Duration jitter, int jitterSteps) {
        this(days, windowDays, jitter, jitterSteps, ZoneOffset.UTC);
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

    /** How far (seconds) from the same time of day a like spike may be at this step. */
    double tolerance(double step) {
        return jitterSteps >= 0 ? jitterSteps * step + step / 2 : Math.max(jitterSeconds, step) + step / 2;
    }

    /**
     * Whether a spike of this centred residual at this instant is the daily one: a spike of the same sign within
     * the tolerance of the same time of day on at least {@code days} of the last {@code windowDays} days, and
     * this one no larger than {@link #LARGER_THAN_USUAL} times the largest of them.
     */
    boolean recurring(Instant at, double residual) {
        double step = step();
        if (Double.isNaN(step) || residual == 0 || Double.isNaN(residual)) {
            return false;
        }
        double t = local(at);
        double tolerance = tolerance(step);
        double[] largest = new double[windowDays + 1];
        for (Event e : events) {
            double back = t - e.at;
            long d = Math.round(back / DAY_SECONDS);
            if (d >= 1 && d <= windowDays && Math.abs(back - d * (double) DAY_SECONDS) <= tolerance
                    && Math.signum(e.residual) == Math.signum(residual)) {
                largest[(int) d] = Math.max(largest[(int) d], Math.abs(e.residual));
            }
        }
        int seen = 0;
        double usual = 0;
        for (int d = 1; d <= windowDays; d++) {
            if (largest[d] > 0) {
                seen++;
                usual = Math.max(usual, largest[d]);
            }
        }
        return seen >= days && Math.abs(residual) <= LARGER_THAN_USUAL * usual;
    }

    /** Remembers a spike; forgets the ones too old to match any later point. */
    void remember(Instant at, double residual) {
        if (residual == 0 || Double.isNaN(residual)) {
            return;
        }
        double t = local(at);
        events.addLast(new Event(t, residual));
        double step = step();
        double horizon = windowDays * (double) DAY_SECONDS + (Double.isNaN(step) ? 0 : tolerance(step));
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

    /** Seconds on the zone's local time line: the instant plus the zone's offset at that instant. */
    private double local(Instant at) {
        return rules == null ? seconds(at) : seconds(at) + rules.getOffset(at).getTotalSeconds();
    }

    private static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }
}
