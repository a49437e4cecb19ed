package io.sidecar.predictor.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sidecar.predictor.stats.RobustWindow;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class PotTailTest {
    /** A GPD(sigma, xi) draw by inversion: y = sigma / xi ((1 - U)^-xi - 1), exponential at xi = 0. */
    static double gpd(SplittableRandom rnd, double sigma, double xi) {
        double u = rnd.nextDouble();
        return xi == 0 ? -sigma * Math.log(1 - u) : sigma / xi * (Math.pow(1 - u, -xi) - 1);
    }

    /** The GPD excess exceeded with probability p: sigma / xi (p^-xi - 1), -sigma ln p at xi = 0. */
    static double quantile(double p, double sigma, double xi) {
        return xi == 0 ? -sigma * Math.log(p) : sigma / xi * (Math.pow(p, -xi) - 1);
    }

    static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    static double studentT3(SplittableRandom rnd) {
        double chi2 = 0;
        for (int i = 0; i < 3; i++) {
            double g = gaussian(rnd);
            chi2 += g * g;
        }
        return gaussian(rnd) / Math.sqrt(chi2 / 3);
    }

    static RobustWindow window(int n, DoubleSupplier value) {
        RobustWindow w = new RobustWindow(n);
        for (int i = 0; i < n; i++) {
            w.add(value.getAsDouble());
        }
        return w;
    }

    /** |z| of a sample: |x - median| / (1.4826 MAD), as the detector standardises its residuals. */
    static RobustWindow absZ(int n, DoubleSupplier value) {
        RobustWindow raw = window(n, value);
        double median = raw.median();
        double sigma = raw.robustSigma();
        RobustWindow w = new RobustWindow(n);
        for (double x : raw.toArray()) {
            w.add(Math.abs(x - median) / sigma);
        }
        return w;
    }

    static double q99Factor(RobustWindow absZ) {
        return Math.max(1, absZ.quantile(0.99) / 2.576);
    }

    @Test
    void windowGivesOrderStatisticsAndCountsAbove() {
        RobustWindow w = new RobustWindow(4);
        for (double v : new double[] {3, 1, 2, 2, 5}) {
            w.add(v);
        }
        // the first 3 has left: 1, 2, 2, 5
        assertThat(w.ordered(0)).isEqualTo(1);
        assertThat(w.ordered(3)).isEqualTo(5);
        assertThat(w.countAbove(2)).isEqualTo(1);
        assertThat(w.countAbove(1.5)).isEqualTo(3);
        assertThat(w.countAbove(5)).isZero();
        assertThat(w.countAbove(0)).isEqualTo(4);
    }

    /**
     * 18 000 body values in [0, 1) and 2 000 values 1 + GPD(0.8, xi): the threshold (q90) falls at 1 and the PWM
     * fit recovers xi within 3 asymptotic standard errors (0.03 at k = 2 000, Hosking and Wallis 1987), sigma
     * within 10 %, and its 1e-3 and 1e-4 tail quantiles (1 and 0.1 % of the excesses) within 20-25 %.
     */
    @Test
    void recoversTheParametersOfAKnownGpdSample() {
        for (double xi : new double[] {-0.3, 0, 0.25}) {
            for (long seed = 1; seed <= 3; seed++) {
                SplittableRandom rnd = new SplittableRandom(seed);
                RobustWindow w = new RobustWindow(20_000);
                for (int i = 0; i < 18_000; i++) {
                    w.add(rnd.nextDouble());
                }
                for (int i = 0; i < 2_000; i++) {
                    w.add(1 + gpd(rnd, 0.8, xi));
                }
                PotTail.Fit fit = PotTail.fit(w);
                assertThat(fit).as("xi %s seed %d", xi, seed).isNotNull();
                assertThat(fit.threshold()).isCloseTo(1, within(0.01));
                assertThat(fit.exceedanceRate()).isCloseTo(0.1, within(0.001));
                assertThat(fit.shape()).as("xi %s seed %d", xi, seed).isCloseTo(xi, within(0.09));
                assertThat(fit.scale()).as("xi %s seed %d", xi, seed).isCloseTo(0.8, within(0.08));
                for (double p : new double[] {1e-3, 1e-4}) {
                    double fitted = fit.threshold() + quantile(p / fit.exceedanceRate(), fit.scale(), fit.shape());
                    double truth = 1 + quantile(p / 0.1, 0.8, xi);
                    assertThat(fitted / truth).as("xi %s seed %d p %s", xi, seed, p).isBetween(0.8, 1.25);
                    assertThat(Math.exp(fit.logTailProbability(fitted))).isCloseTo(p, within(1e-9 * p));
                }
            }
        }
    }

    /** z_g is the two-sided Gaussian quantile, also far below double precision (ln p = -1 000). */
    @Test
    void gaussianEquivalentInvertsTheTwoSidedGaussianTail() {
        assertThat(PotTail.gaussianEquivalent(Math.log(0.05))).isCloseTo(1.959964, within(1e-6));
        assertThat(PotTail.gaussianEquivalent(Math.log(0.01))).isCloseTo(2.575829, within(1e-6));
        assertThat(PotTail.gaussianEquivalent(Math.log(2.559625e-12))).isCloseTo(7.0, within(1e-5));
        assertThat(PotTail.gaussianEquivalent(Math.log(1.0))).isZero();
        assertThat(PotTail.gaussianEquivalent(Double.NEGATIVE_INFINITY)).isInfinite();
        for (double logP : new double[] {-50, -700, -1_000, -1e6}) {
            double z = PotTail.gaussianEquivalent(logP);
            assertThat(PotTail.logErfc(z / Math.sqrt(2))).isCloseTo(logP, within(1e-9 * -logP));
        }
        // continuity where ln erfc switches to its expansion
        assertThat(PotTail.logErfc(26)).isCloseTo(PotTail.logErfc(25.999999), within(1e-3));
    }

    @Test
    void tooFewExcessesAShortBumpOrAThresholdBeyondTheScoreFloorGiveNoModel() {
        SplittableRandom rnd = new SplittableRandom(1);
        // 200 values: 20 above the q90, fewer than 30
        RobustWindow small = absZ(200, () -> gaussian(rnd));
        assertThat(PotTail.fit(small)).isNull();
        assertThat(PotTail.factor(5, 1.3, small)).isEqualTo(1.3);
        // excesses uniform on [0, 1) (xi = -1): a mode cut by the threshold, not a tail
        RobustWindow bump = window(2_000, () -> rnd.nextDouble() < 0.9 ? rnd.nextDouble() : 1 + rnd.nextDouble());
        assertThat(PotTail.fit(bump)).isNull();
        // a quantised metric's second level: a fifth of the |z| at 12-16, so the q90 is far beyond 3 sigmas
        RobustWindow levels = window(2_000, () -> rnd.nextDouble() < 0.2 ? 12 + 4 * rnd.nextDouble()
                : Math.abs(gaussian(rnd)));
        assertThat(levels.quantile(0.9)).isGreaterThan(3);
        assertThat(PotTail.fit(levels)).isNull();
        // ties at the top (15 % of the values at 2): nothing strictly above the q90
        RobustWindow ties = window(2_000, () -> rnd.nextDouble() < 0.85 ? rnd.nextDouble() : 2);
        assertThat(PotTail.fit(ties)).isNull();
    }

    /**
     * The factor stays in [1, q99 factor] and finite for every kind of window and every |z|, 0 and 1e300
     * included: no NaN, no Infinity.
     */
    @Test
    void factorIsFiniteAndBetweenOneAndTheQ99Factor() {
        SplittableRandom rnd = new SplittableRandom(7);
        DoubleSupplier[] kinds = {
            () -> gaussian(rnd),
            () -> (rnd.nextBoolean() ? 1 : -1) * Math.log(1 - rnd.nextDouble()),
            () -> studentT3(rnd),
            () -> Math.tan(Math.PI * (rnd.nextDouble() - 0.5)),
            () -> rnd.nextInt(3),
            () -> 5.0,
        };
        double[] probes = {0, 1e-9, 1, 2, 3, 4.5, 7, 8.9, 20, 1e3, 1e300, Double.MAX_VALUE};
        for (DoubleSupplier kind : kinds) {
            for (int n : new int[] {30, 300, 2_000}) {
                RobustWindow w = window(n, () -> Math.abs(kind.getAsDouble()));
                double q99 = q99Factor(w);
                for (double x : probes) {
                    double f = PotTail.factor(x, q99, w);
                    assertThat(Double.isFinite(f)).as("factor %s at %s", f, x).isTrue();
                    assertThat(f).isBetween(1.0, q99);
                }
            }
        }
    }

    /**
     * A tail bounded at |z| 6 (GPD xi -0.3 over a q90 of 2): a value far beyond its end point is scored as
     * it is (factor 1); the q99 factor alone would have divided it by ~1.6.
     */
    @Test
    void aValueBeyondABoundedTailIsNotDiscounted() {
        SplittableRandom rnd = new SplittableRandom(3);
        RobustWindow w = window(2_000, () -> rnd.nextDouble() < 0.9 ? 2 * rnd.nextDouble() : 2 + gpd(rnd, 1.2, -0.3));
        PotTail.Fit fit = PotTail.fit(w);
        assertThat(fit).isNotNull();
        assertThat(fit.shape()).isNegative();
        double endPoint = fit.threshold() + fit.scale() / -fit.shape();
        assertThat(endPoint).isLessThan(8.9);
        assertThat(fit.logTailProbability(8.9)).isEqualTo(Double.NEGATIVE_INFINITY);
        double q99 = q99Factor(w);
        assertThat(q99).isGreaterThan(1.3);
        assertThat(PotTail.factor(8.9, q99, fit)).isEqualTo(1);
    }

    /**
     * Student-t with 3 degrees of freedom (xi = 1/3): beyond its q99 the tail is heavier than a scaled Gaussian,
     * so the POT factor is above the q99 one and the q99 factor is kept for every value that can score.
     */
    @Test
    void aHeavyTailKeepsTheQ99Factor() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            RobustWindow w = absZ(2_000, () -> studentT3(rnd));
            PotTail.Fit fit = PotTail.fit(w);
            assertThat(fit).isNotNull();
            double q99 = q99Factor(w);
            for (double x = w.quantile(0.995); x < 200; x *= 1.1) {
                assertThat(PotTail.factor(x, q99, fit)).as("seed %d |z| %s", seed, x).isEqualTo(q99);
            }
        }
    }
}
