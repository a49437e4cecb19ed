package io.sidecar.predictor.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.ManualClock;
import io.sidecar.predictor.forecast.ForecasterConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The drift score: a slow drift is alerted within a bounded delay; stationary noise and a clean season are not. */
class DriftDetectionTest {
    private static final int STEP = 300;

    /** Alert indexes and the kinds of those alerts over {@code n} points of {@code series}. */
    record Run(List<Integer> at, List<String> kinds) {
    }

    static Run run(int n, IntToDoubleFunction series, AnomalyConfig config) {
        AnomalyDetector d = new AnomalyDetector("m", config, ForecasterConfig.forStep(STEP, 1), new ManualClock());
        List<Integer> at = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AnomalyScore s = d.observe(Instant.ofEpochSecond(1_600_000_000L + (long) i * STEP), series.applyAsDouble(i));
            int index = i;
            s.alert().ifPresent(a -> {
                at.add(index);
                kinds.add(a.kind());
            });
        }
        return new Run(at, kinds);
    }

    static double[] gaussian(long seed, int n) {
        Random rnd = new Random(seed);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = rnd.nextGaussian();
        }
        return g;
    }

    @Test
    void slowLinearDriftIsAlertedWithinABoundedDelay() {
        int start = 2_000;
        int n = 3_000;
        double[] noise = gaussian(7, n);
        // 100 +- 5 noise; from `start` the level creeps up by 0.05 per point: one noise sigma every 100 points,
        // slow enough that the one-step residuals of the self-refitting baseline stay small
        IntToDoubleFunction series = i -> 100 + 5 * noise[i] + (i >= start ? 0.05 * (i - start) : 0);
        Run on = run(n, series, AnomalyConfig.DEFAULTS);
        Run off = run(n, series, AnomalyConfig.DEFAULTS.withDriftWindow(0));
        assertThat(on.at()).as("alerts %s kinds %s", on.at(), on.kinds()).isNotEmpty();
        assertThat(on.at().get(0)).isBetween(start, start + 400);
        assertThat(on.kinds().get(0)).isEqualTo("drift");
        assertThat(off.at()).as("without the drift score").noneMatch(i -> i >= start && i <= start + 400);
    }

    @Test
    void stationaryNoiseRaisesNoAlert() {
        int n = 20_000;
        double[] noise = gaussian(11, n);
        Run on = run(n, i -> 100 + 5 * noise[i], AnomalyConfig.DEFAULTS);
        assertThat(on.at()).as("kinds %s", on.kinds()).isEmpty();
    }

    @Test
    void cleanDailySeasonRaisesNoAlert() {
        int n = 14 * 288;
        double[] noise = gaussian(13, n);
        IntToDoubleFunction series = i -> 500 - 300 * Math.cos(2 * Math.PI * i / 288.0) + 15 * noise[i];
        Run on = run(n, series, AnomalyConfig.DEFAULTS);
        assertThat(on.at()).as("kinds %s", on.kinds()).isEmpty();
    }

    /**
     * A weekly cycle the baseline leaves in the values (NAB realTweets/Twitter_volume_GOOG: 5-minute counts whose
     * daily cycle is too noisy for a season to be found, so the baseline keeps period 0): the same night level
     * every day, a daytime peak of 35 on weekdays and 15 at weekends, noise 35 % of the level. With a reference of
     * one day, Monday's afternoon lies above the whole of Sunday and the Mann-Kendall window (Sunday to Monday)
     * trends up, so every Monday raised a drift alarm; the reference must span the week.
     */
    @Test
    void weeklyCycleTheBaselineLeavesUnmodelledRaisesNoDriftAlarm() {
        int week = 7 * 288;
        int n = 4 * week;
        for (long seed = 1; seed <= 6; seed++) {
            Random rnd = new Random(seed);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                boolean weekend = (i / 288) % 7 >= 5;
                double shape = 0.5 - 0.5 * Math.cos(2 * Math.PI * (i % 288) / 288.0);
                double level = 8 + ((weekend ? 15 : 35) - 8) * shape;
                v[i] = Math.max(0, Math.round(level + 0.35 * level * rnd.nextGaussian()));
            }
            Run on = run(n, i -> v[i], AnomalyConfig.DEFAULTS);
            assertThat(on.kinds()).as("seed %d: alerts %s kinds %s", seed, on.at(), on.kinds()).doesNotContain("drift");
        }
    }
}
