package io.sidecar.predictor.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.predictor.corpus.SyntheticSeries;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OnlineForecasterTest {

    private static double[] seasonal(int n, int period, double noise, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = 100 + 0.01 * i + 30 * Math.sin(2 * Math.PI * i / period) + noise * r.nextGaussian();
        }
        return y;
    }

    @Test
    void detectsSeasonAndBeatsSeasonalNaive() {
        OnlineForecaster f = new OnlineForecaster(ForecasterConfig.DEFAULTS, Clock.systemUTC());
        for (double v : seasonal(2000, 48, 3, 1)) {
            f.observe(v);
        }
        assertThat(f.period()).isBetween(47, 49);
        Accuracy a = f.accuracy();
        assertThat(a.recentMase()).isLessThan(1.0);
        Forecast h5 = f.forecast(5).orElseThrow();
        assertThat(h5.lower()).isLessThan(h5.point());
        assertThat(h5.upper()).isGreaterThan(h5.point());
        assertThat(f.forecast(30).orElseThrow().upper() - f.forecast(30).orElseThrow().lower())
                .isGreaterThanOrEqualTo(f.forecast(1).orElseThrow().upper() - f.forecast(1).orElseThrow().lower());
    }

    @Test
    void predictionIntervalsCoverAboutNinetyFivePercent() {
        OnlineForecaster f = new OnlineForecaster();
        double[] y = seasonal(3000, 48, 3, 11);
        int[] horizons = {1, 10};
        int[] covered = new int[2];
        int[] total = new int[2];
        for (int t = 0; t < y.length; t++) {
            f.observe(y[t]);
            if (t < 1000) {
                continue;
            }
            for (int i = 0; i < horizons.length; i++) {
                int h = horizons[i];
                if (t + h < y.length) {
                    Forecast fc = f.forecast(h).orElseThrow();
                    total[i]++;
                    if (y[t + h] >= fc.lower() && y[t + h] <= fc.upper()) {
                        covered[i]++;
                    }
                }
            }
        }
        for (int i = 0; i < horizons.length; i++) {
            double coverage = covered[i] / (double) total[i];
            System.out.printf("95%% interval coverage at h=%d: %.3f%n", horizons[i], coverage);
            assertThat(coverage).as("h=%d", horizons[i]).isBetween(0.88, 0.995);
        }
    }

    @Test
    void noSeasonOnRandomWalkAndDampedTrend() {
        java.util.Random r = new java.util.Random(3);
        OnlineForecaster f = new OnlineForecaster();
        double x = 50;
        for (int i = 0; i < 1500; i++) {
            x += r.nextGaussian();
            f.observe(x);
        }
        assertThat(f.period()).isZero();
        assertThat(f.current().orElseThrow().params().phi()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void emptyWhileWarmingUp() {
        OnlineForecaster f = new OnlineForecaster();
        for (int i = 0; i < ForecasterConfig.DEFAULT_MIN_FIT_POINTS - 1; i++) {
            f.observe(i);
        }
        assertThat(f.forecast(1)).isEmpty();
        f.observe(100);
        assertThat(f.forecast(1)).isPresent();
    }

    @Test
    void promotionRuleHoldsForEveryVersionAndRollbackWorks() {
        OnlineForecaster f = new OnlineForecaster();
        SyntheticSeries.Series s = SyntheticSeries.corpus(7).get(0);
        for (double v : s.values()) {
            f.observe(v);
        }
        assertThat(f.versions()).hasSizeGreaterThan(3);
        for (ModelVersion v : f.versions()) {
            if (!Double.isNaN(v.incumbentMae()) && v.id() > 1) {
                assertThat(v.promoted()).as("version %s", v).isEqualTo(v.validationMae() <= v.incumbentMae());
            }
        }
        ModelVersion first = f.versions().get(0);
        Optional<ModelVersion> inUse = f.current();
        assertThat(inUse).isPresent();
        f.rollback(first.id());
        assertThat(f.current()).contains(first);
        assertThatThrownBy(() -> f.rollback(9999)).hasMessageContaining("9999");
    }

    @Test
    void missingValuesDoNotBreakTheState() {
        OnlineForecaster f = new OnlineForecaster();
        double[] y = seasonal(800, 24, 1, 5);
        for (int i = 0; i < y.length; i++) {
            f.observe(i % 17 == 0 ? Double.NaN : y[i]);
        }
        assertThat(f.forecast(1).orElseThrow().point()).isFinite();
        assertThat(f.accuracy().mase()).isLessThan(1.0);
    }

    @Test
    void corpusReport() {
        for (SyntheticSeries.Series s : SyntheticSeries.corpus(11)) {
            OnlineForecaster f = new OnlineForecaster();
            long t0 = System.nanoTime();
            for (double v : s.values()) {
                f.observe(v);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("%s period=%d acc=%s versions=%d %d ms%n", s.name(), f.period(), f.accuracy(),
                    f.versions().size(), ms);
        }
    }
}
