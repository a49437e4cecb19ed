package io.sidecar.predictor.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The time-of-day memory of spikes ({@link RecurringSpikes}) in the detector: Gaussian noise (50 ± 1) in 5-minute
 * steps, virtual time from 12:00 on day 0, and a one-point job spike of +15 every night at 03:05 shifted by a
 * random −3..+3 steps (the nightly-job shape of NAB's ec2_cpu_utilization_24ae8d). Night k (k = 1..13) is the
 * night at the start of day k. START is a Sunday, so night k is a Monday for k = 1, 8.
 */
class RecurringSpikeTest {
    private static final int STEP = 300;
    private static final int PER_DAY = 288;
    private static final long START = Instant.parse("2026-03-01T12:00:00Z").getEpochSecond();
    private static final int DAYS = 14;
    private static final double LEVEL = 50;
    private static final double JOB = 15;

    /** A series and where its job ran: index of night k's spike in {@code jobAt[k]} (k >= 1). */
    record Series(double[] values, int[] jobAt) {
        static Series nightly(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int n = DAYS * PER_DAY;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = LEVEL + PotTailTest.gaussian(rnd);
            }
            int[] jobAt = new int[DAYS];
            for (int k = 1; k < DAYS; k++) {
                // day k starts 12 h (144 steps) after START + (k - 1) days; 03:05 is 37 steps into it
                int at = (k - 1) * PER_DAY + 144 + 37 + rnd.nextInt(7) - 3;
                jobAt[k] = at;
                v[at] += JOB;
            }
            return new Series(v, jobAt);
        }

        int night(int index) {
            for (int k = 1; k < DAYS; k++) {
                if (jobAt[k] == index) {
                    return k;
                }
            }
            return -1;
        }
    }

    static DetectorRun run(double[] values, AnomalyConfig config) {
        return DetectorRun.of(config, START, STEP, values.length, i -> values[i]);
    }

    @Test
    void aDailyJitteredSpikeStopsAlertingAfterTheConfiguredNumberOfDays() {
        for (long seed = 1; seed <= 4; seed++) {
            Series s = Series.nightly(seed);
            for (int days : new int[] {AnomalyConfig.DEFAULT_RECURRING_DAYS, 5}) {
                DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS.withRecurring(days,
                        AnomalyConfig.DEFAULT_RECURRING_WINDOW_DAYS, AnomalyConfig.DEFAULT_RECURRING_JITTER));
                List<Integer> nights = r.at().stream().map(s::night).toList();
                // the first `days` nights alert (first occurrences), every later one is recognised as the job
                for (int k = 1; k <= days; k++) {
                    assertThat(nights).as("seed %d, days %d: night %d alerts", seed, days, k).contains(k);
                }
                assertThat(nights.stream().filter(k -> k > days).toList())
                        .as("seed %d, days %d: nights after the first %d", seed, days, days).isEmpty();
                // and nothing else is alerted
                assertThat(nights).as("seed %d: alerts off the job: %s", seed, r.at()).doesNotContain(-1);
            }
            // without the discount every night alerts
            DetectorRun off = run(s.values(), AnomalyConfig.DEFAULTS.withRecurring(0, 0));
            assertThat(off.at().stream().map(s::night).filter(k -> k > 3).count()).isEqualTo(DAYS - 4);
        }
    }

    @Test
    void aNewSpikeAtAnotherTimeStillAlerts() {
        for (long seed = 1; seed <= 4; seed++) {
            Series s = Series.nightly(seed);
            // night 10's job as usual, and the same spike at 15:00 of day 10 (12 h after the job)
            int other = s.jobAt()[10] + 144;
            s.values()[other] += JOB;
            DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS);
            assertThat(r.at()).as("seed %d", seed).contains(other).doesNotContain(s.jobAt()[10]);
        }
    }

    @Test
    void aLargerThanUsualSpikeAtTheUsualTimeStillAlerts() {
        for (long seed = 1; seed <= 4; seed++) {
            Series s = Series.nightly(seed);
            int night = s.jobAt()[10];
            s.values()[night] += JOB;   // twice the usual job
            DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS);
            assertThat(r.at()).as("seed %d", seed).contains(night).doesNotContain(s.jobAt()[9], s.jobAt()[11]);
        }
    }

    @Test
    void aLevelShiftAtTheUsualTimeStillAlerts() {
        for (long seed = 1; seed <= 4; seed++) {
            Series s = Series.nightly(seed);
            int start = s.jobAt()[10];
            // night 10 has no job; from its time on the level is up by the job's height and stays there: the
            // first point looks exactly like the job (and is discounted), the next ones do not go away
            s.values()[start] -= JOB;
            for (int i = start; i < s.values().length; i++) {
                s.values()[i] += JOB;
            }
            DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS);
            assertThat(r.at()).as("seed %d: alerted within 3 points of the shift", seed)
                    .anyMatch(i -> i >= start && i < start + 3);
        }
    }

    @Test
    void aJobThatSkippedANightIsStillRecognised() {
        for (long seed = 5; seed <= 8; seed++) {
            Series s = Series.nightly(seed);
            s.values()[s.jobAt()[6]] -= JOB;   // no job on night 6
            DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS);
            List<Integer> nights = r.at().stream().map(s::night).toList();
            // night 7 has had the job on nights 1-5 (5 of its last 7 days): the skipped night restarts nothing
            assertThat(nights).as("seed %d", seed).contains(1, 2, 3).doesNotContain(4, 5, 7, 8, 9, 10, 11, 12, 13);
        }
    }

    @Test
    void withAWindowAsLongAsTheDaysASkippedNightRestartsTheCount() {
        // recurring_window_days = recurring_days is fix I's rule (each of the last 3 days): nights 7-9 alert again
        Series s = Series.nightly(7);
        s.values()[s.jobAt()[6]] -= JOB;   // no job on night 6
        DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS.withRecurring(3, 3,
                AnomalyConfig.DEFAULT_RECURRING_JITTER));
        List<Integer> nights = r.at().stream().map(s::night).toList();
        assertThat(nights).contains(1, 2, 3, 7, 8, 9).doesNotContain(4, 5, 10, 11, 12, 13);
        // and the older form of the tolerance (6 steps) still works as written
        DetectorRun steps = run(s.values(), AnomalyConfig.DEFAULTS.withRecurring(3, 6));
        assertThat(steps.at().stream().map(s::night).toList()).contains(1, 2, 3).doesNotContain(4, 5, 7, 8, 9);
    }

    @Test
    void aWeekdayJobIsRecognisedOnMondayAfterTheWeekend() {
        // 5-minute steps over three weeks; the job runs Monday to Friday at 03:05 ± 3 steps, never on a weekend
        for (long seed = 1; seed <= 4; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int n = 21 * PER_DAY;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = LEVEL + PotTailTest.gaussian(rnd);
            }
            List<Integer> runs = new ArrayList<>();
            for (int k = 1; k < 21; k++) {
                int at = (k - 1) * PER_DAY + 144 + 37 + rnd.nextInt(7) - 3;
                DayOfWeek day = Instant.ofEpochSecond(START + (long) at * STEP).atZone(ZoneOffset.UTC).getDayOfWeek();
                if (day != DayOfWeek.SATURDAY && day != DayOfWeek.SUNDAY) {
                    v[at] += JOB;
                    runs.add(at);
                }
            }
            DetectorRun r = run(v, AnomalyConfig.DEFAULTS);
            // the first three runs (Monday to Wednesday of the first week) alert, no later one does: not the
            // Mondays (runs 5 and 10), whose last three days had no job, and nothing else
            assertThat(r.at()).as("seed %d", seed).containsExactlyElementsOf(runs.subList(0, 3));
            // with fix I's rule (each of the last 3 days) every Monday, Tuesday and Wednesday alerts again
            DetectorRun inARow = run(v, AnomalyConfig.DEFAULTS.withRecurring(3, 3,
                    AnomalyConfig.DEFAULT_RECURRING_JITTER));
            assertThat(inARow.at()).as("seed %d", seed).contains(runs.get(5), runs.get(6), runs.get(7),
                    runs.get(10), runs.get(11), runs.get(12));
        }
    }

    /**
     * Hourly noise (50 ± 1) over {@code days} days from START (12:00), where day k's 03:00 is index
     * {@code (k - 1) * 24 + 15}.
     */
    private static double[] hourlyNoise(long seed, int days) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[days * 24];
        for (int i = 0; i < v.length; i++) {
            v[i] = LEVEL + PotTailTest.gaussian(rnd);
        }
        return v;
    }

    /*
     * On hourly data a spike that recurs every day is 1 point in 24, 4 % of the points: within days the tail factor
     * (q99 of the last 2 000 |z|) takes it in and the detector no longer calls it a spike at all. So the hourly
     * tests use a job that starts running on day 40 of a quiet series: its first runs are spikes, and the memory
     * decides about the runs after them, as on the day such a job is deployed.
     */

    @Test
    void onHourlyDataTheToleranceIsTheNeighbouringHourNotSixHours() {
        // a +15 one-point job at 03:00 (the hourly roll-up of a job that runs at about 03:05) on days 40 to 45,
        // and on day 44 a like spike three hours after the job, at 06:00
        for (long seed = 1; seed <= 4; seed++) {
            double[] v = hourlyNoise(seed, 47);
            List<Integer> jobs = new ArrayList<>();
            for (int k = 40; k <= 45; k++) {
                int at = (k - 1) * 24 + 15;
                v[at] += JOB;
                jobs.add(at);
            }
            int other = jobs.get(4) + 3;
            v[other] += JOB;
            DetectorRun r = DetectorRun.of(AnomalyConfig.DEFAULTS, START, 3600, v.length, i -> v[i]);
            // the first three runs alert, the later ones are the job; the spike at 06:00 is not the job
            assertThat(r.at()).as("seed %d", seed).containsExactly(jobs.get(0), jobs.get(1), jobs.get(2), other);
            // a tolerance of 6 steps (fix I) is 6.5 hours here: the 06:00 spike was taken for the job
            DetectorRun steps = DetectorRun.of(AnomalyConfig.DEFAULTS.withRecurring(3, 6), START, 3600, v.length,
                    i -> v[i]);
            assertThat(steps.at()).as("seed %d", seed).containsExactly(jobs.get(0), jobs.get(1), jobs.get(2));
        }
    }

    @Test
    void onHourlyDataAJobInTheNeighbouringHourIsStillTheJob() {
        // the job runs at about 03:55, so its hourly roll-up lands at 03:00 or at 04:00, days 40 to 45
        for (long seed = 1; seed <= 4; seed++) {
            double[] v = hourlyNoise(seed, 47);
            SplittableRandom rnd = new SplittableRandom(100 + seed);
            List<Integer> jobs = new ArrayList<>();
            for (int k = 40; k <= 45; k++) {
                int at = (k - 1) * 24 + 15 + (k == 41 ? 1 : k == 42 ? 0 : rnd.nextInt(2));
                v[at] += JOB;
                jobs.add(at);
            }
            DetectorRun r = DetectorRun.of(AnomalyConfig.DEFAULTS, START, 3600, v.length, i -> v[i]);
            assertThat(r.at()).as("seed %d", seed).containsExactlyElementsOf(jobs.subList(0, 3));
            // a jitter shorter than the step still allows one step: 10 minutes match the neighbouring hour
            DetectorRun narrow = DetectorRun.of(AnomalyConfig.DEFAULTS.withRecurring(3, 7, Duration.ofMinutes(10)),
                    START, 3600, v.length, i -> v[i]);
            assertThat(narrow.at()).as("seed %d", seed).containsExactlyElementsOf(jobs.subList(0, 3));
        }
    }

    @Test
    void aJobScheduledInLocalTimeKeepsItsTimeOfDayAcrossADaylightSavingChangeInItsZone() {
        // 5-minute steps from 2026-03-20 12:00 UTC over 16 days; the job is started by cron at 03:05 Paris time and
        // runs up to 6 steps late (a job starts at its time or after it, never before), which is 02:05 UTC until
        // 2026-03-29 and 01:05 UTC from that night on (CET to CEST)
        ZoneId paris = ZoneId.of("Europe/Paris");
        long start = Instant.parse("2026-03-20T12:00:00Z").getEpochSecond();
        for (long seed = 1; seed <= 4; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int n = 16 * PER_DAY;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = LEVEL + PotTailTest.gaussian(rnd);
            }
            List<Integer> jobs = new ArrayList<>();
            int afterChange = -1;
            for (LocalDate day = LocalDate.of(2026, 3, 21); day.isBefore(LocalDate.of(2026, 4, 5)); day = day.plusDays(1)) {
                long at = day.atTime(LocalTime.of(3, 5)).atZone(paris).toEpochSecond();
                int index = (int) ((at - start) / STEP) + rnd.nextInt(7);
                v[index] += JOB;
                if (day.equals(LocalDate.of(2026, 3, 29))) {
                    afterChange = jobs.size();
                }
                jobs.add(index);
            }
            double[] series = v;
            DetectorRun local = DetectorRun.of(AnomalyConfig.DEFAULTS.withRecurringZone(paris), start, STEP, n,
                    i -> series[i]);
            // in its zone the job is the job from its fourth night on, the change included
            assertThat(local.at()).as("seed %d", seed).containsExactlyElementsOf(jobs.subList(0, 3));
            // in UTC it moved by an hour, beyond the 30-minute tolerance: nights after the change alert again (a run
            // late on the night of the change may still fall within 30 minutes of an early one before it)
            DetectorRun utc = DetectorRun.of(AnomalyConfig.DEFAULTS, start, STEP, n, i -> series[i]);
            assertThat(utc.at()).as("seed %d", seed)
                    .containsAnyElementsOf(jobs.subList(afterChange, afterChange + 3));
        }
    }

    @Test
    void theMemoryIsBoundedByTheWindowItNeeds() {
        RecurringSpikes m = new RecurringSpikes(3, 7, Duration.ofMinutes(30), AnomalyConfig.JITTER_AS_DURATION);
        for (int i = 0; i < 20 * PER_DAY; i++) {
            Instant t = Instant.ofEpochSecond(START + (long) i * STEP);
            m.time(t);
            if (i % 10 == 0) {
                m.remember(t, 1);
            }
        }
        // 7 days and 6.5 steps (32.5 minutes) of history at one spike per 10 steps
        assertThat(m.size()).isBetween(7 * PER_DAY / 10, 7 * PER_DAY / 10 + 2);
        assertThat(m.step()).isEqualTo(STEP);
        assertThat(m.tolerance(STEP)).isEqualTo(30 * 60 + STEP / 2.0);
        // at most MAX_EVENTS, whatever the window holds: a spike every minute for 8 days
        RecurringSpikes dense = new RecurringSpikes(3, 7, Duration.ofMinutes(30), AnomalyConfig.JITTER_AS_DURATION);
        for (int i = 0; i < 8 * 1440; i++) {
            Instant t = Instant.ofEpochSecond(START + i * 60L);
            dense.time(t);
            dense.remember(t, 1);
        }
        assertThat(dense.size()).isEqualTo(RecurringSpikes.MAX_EVENTS);
    }

    @Test
    void theToleranceIsTheJitterButAtLeastOneStepPlusHalfAStep() {
        RecurringSpikes m = new RecurringSpikes(3, 7, Duration.ofMinutes(30), AnomalyConfig.JITTER_AS_DURATION);
        assertThat(m.tolerance(60)).isEqualTo(1830);          // 1-minute roll-ups: 30 minutes (was 6.5)
        assertThat(m.tolerance(300)).isEqualTo(1950);         // 5-minute steps: 32.5 minutes, as fix I's 6 steps
        assertThat(m.tolerance(3600)).isEqualTo(5400);        // hourly: the neighbouring hour (was 6.5 hours)
        RecurringSpikes steps = new RecurringSpikes(3, 3, null, 6);
        assertThat(steps.tolerance(3600)).isEqualTo(6.5 * 3600);
    }
}
