package io.sidecar.predictor.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Synthetic series shaped like the defects found on real data (NAB's nyc_taxi, 30-minute taxi counts): a daily
 * season with short-lived deviations that persist for a few hours and then revert (AR(1) noise), and counts
 * that fall steeply towards zero every night. No NAB data is used or committed (its licence is AGPL).
 */
class RealShapeForecastTest {
    static final int DAY = 48;

    /** A daily count profile (high evening, near zero at night) plus AR(1) deviations, phi = 0.9 per step. */
    static double[] taxiLike(int n, long seed) {
        Random r = new Random(seed);
        double[] y = new double[n];
        double ar = 0;
        for (int i = 0; i < n; i++) {
            double hour = (i % DAY) / 2.0;
            double profile = hour < 5 ? 2000 + 12000 * Math.exp(-hour) // the night drop towards zero
                    : 2000 + 18000 * Math.sin(Math.PI * Math.min(1, (hour - 5) / 19.0));
            ar = 0.9 * ar + 1500 * r.nextGaussian();
            y[i] = Math.max(0, profile + ar);
        }
        return y;
    }

    /** MAE over all (t, k), k = 1..h, of the forecasts made after each observation from {@code from} on. */
    private static double[] maes(double[] y, int h, int from) {
        OnlineForecaster f = new OnlineForecaster(ForecasterConfig.forStep(1800, h), Clock.systemUTC());
        double model = 0;
        double snaive = 0;
        int n = 0;
        double minForecast = Double.POSITIVE_INFINITY;
        for (int t = 0; t < y.length; t++) {
            f.observe(y[t]);
            if (t < from) {
                continue;
            }
            for (int k = 1; k <= h && t + k < y.length; k++) {
                double fc = f.forecast(k).orElseThrow().point();
                minForecast = Math.min(minForecast, fc);
                model += Math.abs(y[t + k] - fc);
                snaive += Math.abs(y[t + k] - y[t + k - DAY * (int) Math.ceil(k / (double) DAY)]);
                n++;
            }
        }
        return new double[] {model / n, snaive / n, minForecast};
    }

    @Test
    void multiHorizonForecastsAreFittedForTheirHorizons() {
        // one-step fitting set alpha ~ 1 (the level chases each deviation): MAE over horizons 1..12 was 0.80 of
        // the seasonal-naive MAE here; fitting on the loss over horizons 1..12 too brings it to 0.70
        double[] m = maes(taxiLike(4000, 7), 12, 1000);
        assertThat(m[0] / m[1]).isLessThan(0.75);
    }

    @Test
    void aSeriesNeverBelowZeroIsNotForecastBelowZero() {
        // the steep nightly drop extrapolated by the additive season and trend went below zero (to -8 841)
        double[] m = maes(taxiLike(3000, 3), 48, 100);
        assertThat(m[2]).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aSeriesWithNegativeValuesKeepsNegativeForecasts() {
        double[] y = taxiLike(1500, 5);
        for (int i = 0; i < y.length; i++) {
            y[i] -= 10_000;
        }
        OnlineForecaster f = new OnlineForecaster(ForecasterConfig.forStep(1800, 12), Clock.systemUTC());
        double min = Double.POSITIVE_INFINITY;
        for (double v : y) {
            f.observe(v);
            if (f.warm()) {
                min = Math.min(min, f.forecast(6).orElseThrow().point());
            }
        }
        assertThat(min).isLessThan(-5_000);
    }
}
