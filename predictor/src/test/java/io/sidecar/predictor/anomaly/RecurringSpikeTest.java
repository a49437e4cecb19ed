package io.sidecar.predictor.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The time-of-day memory of spikes ({@link RecurringSpikes}) in the detector: Gaussian noise (50 ± 1) in 5-minute
 * steps, virtual time from 12:00 on day 0, and a one-point job spike of +15 every night at 03:05 shifted by a
 * random −3..+3 steps (the nightly-job shape of NAB's ec2_cpu_utilization_24ae8d). Night k (k = 1..13) is the
 * night at the start of day k.
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
                        AnomalyConfig.DEFAULT_RECURRING_JITTER_STEPS));
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
    void aJobThatSkippedANightIsAlertedAgainUntilItHasRunTheConfiguredDaysInARow() {
        Series s = Series.nightly(7);
        s.values()[s.jobAt()[6]] -= JOB;   // no job on night 6
        DetectorRun r = run(s.values(), AnomalyConfig.DEFAULTS);
        List<Integer> nights = r.at().stream().map(s::night).toList();
        assertThat(nights).contains(1, 2, 3, 7, 8, 9).doesNotContain(4, 5, 10, 11, 12, 13);
    }

    @Test
    void theMemoryIsBoundedByTheDaysItNeeds() {
        RecurringSpikes m = new RecurringSpikes(3, 6);
        for (int i = 0; i < 20 * PER_DAY; i++) {
            Instant t = Instant.ofEpochSecond(START + (long) i * STEP);
            m.time(t);
            if (i % 10 == 0) {
                m.remember(t, 1);
            }
        }
        // 3 days and 7 steps of history at one spike per 10 steps
        assertThat(m.size()).isBetween(3 * PER_DAY / 10, 3 * PER_DAY / 10 + 2);
        assertThat(m.step()).isEqualTo(STEP);
    }
}
