package io.sidecar.predictor.scaling;

import io.sidecar.predictor.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalingTest {
    /** A clock tests move by hand. */
    private static final UslModel TRUE = new UslModel(100, 0.05, 0.002);

    @Test
    void uslFitRecoversParametersFromNoisyObservations() {
        Random r = new Random(1);
        List<UslFitter.Observation> obs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double n = 1 + r.nextInt(40);
            obs.add(new UslFitter.Observation(n, TRUE.throughput(n) * (1 + 0.03 * r.nextGaussian())));
        }
        UslModel fit = UslFitter.fit(obs).orElseThrow();
        assertThat(fit.lambda()).isCloseTo(100, offset(5.0));
        assertThat(fit.sigma()).isCloseTo(0.05, offset(0.02));
        assertThat(fit.kappa()).isCloseTo(0.002, offset(0.001));
        assertThat(fit.peakConcurrency()).isCloseTo(TRUE.peakConcurrency(), offset(4.0));
    }

    @Test
    void uslNeedsThreeLoadLevels() {
        assertThat(UslFitter.fit(List.of(new UslFitter.Observation(2, 190), new UslFitter.Observation(2, 192),
                new UslFitter.Observation(4, 350)))).isEmpty();
    }

    @Test
    void capacityFromUslIsCappedToObservedConcurrencyAndKneeRespectsTheSlo() {
        CapacityEstimator usl = new CapacityEstimator(1000, 0);
        CapacityEstimator slo = new CapacityEstimator(1000, 50);
        for (int n = 1; n <= 10; n++) {
            double x = TRUE.throughput(n);
            double p99 = 1000 * TRUE.responseTime(n) * 3;
            usl.add(new CapacityEstimator.Sample(n, x, p99));
            slo.add(new CapacityEstimator.Sample(n, x, p99));
        }
        CapacityEstimate u = usl.estimate().orElseThrow();
        assertThat(u.method()).isEqualTo("usl");
        assertThat(u.requestsPerSecond()).isCloseTo(TRUE.throughput(15), offset(10.0));
        CapacityEstimate k = slo.estimate().orElseThrow();
        assertThat(k.method()).isEqualTo("slo_knee");
        double best = 0;
        for (int n = 1; n <= 10; n++) {
            if (1000 * TRUE.responseTime(n) * 3 <= 50) {
                best = TRUE.throughput(n);
            }
        }
        assertThat(k.requestsPerSecond()).isEqualTo(best);
    }

    private static final CapacityEstimate CAP = new CapacityEstimate(100, "usl", TRUE, 10);

    @Test
    void adviceIsStableUnderNoise() {
        ManualClock clock = new ManualClock();
        ScalingAdvisor advisor = new ScalingAdvisor(new ScalingConfig(0.7, 2, 20, Duration.ofMinutes(5), 0.1,
                Duration.ofMinutes(15), 0), clock);
        Random r = new Random(2);
        int changes = 0;
        int prev = -1;
        for (int minute = 0; minute < 600; minute++) {
            // load hovering around the 5/6 replica boundary (5 * 70 = 350 req/s)
            double peak = 350 + 25 * r.nextGaussian();
            int now = advisor.advise(peak, CAP).recommended();
            if (prev >= 0 && now != prev) {
                changes++;
            }
            prev = now;
            clock.now = clock.now.plusSeconds(60);
        }
        assertThat(changes).isLessThanOrEqualTo(4);
        assertThat(prev).isBetween(5, 7);
    }

    @Test
    void adviceFollowsARampUpAndDown() {
        ManualClock clock = new ManualClock();
        ScalingAdvisor advisor = new ScalingAdvisor(new ScalingConfig(0.7, 2, 20, Duration.ofMinutes(5), 0.1,
                Duration.ofMinutes(15), 0), clock);
        int prev = 0;
        for (int minute = 0; minute <= 120; minute++) {
            double peak = 100 + minute * 10; // 100 -> 1300 req/s
            ScalingAdvice a = advisor.advise(peak, CAP);
            assertThat(a.recommended()).isGreaterThanOrEqualTo(prev);
            assertThat(a.recommended() * 100 * 0.7 + 1e-9).isGreaterThanOrEqualTo(Math.min(peak, 20 * 70));
            prev = a.recommended();
            clock.now = clock.now.plusSeconds(60);
        }
        assertThat(prev).isEqualTo(19);
        // load falls: the scale-down waits for the cooldown, then goes to what the last cooldown needed
        List<Integer> seen = new ArrayList<>();
        for (int minute = 0; minute < 60; minute++) {
            seen.add(advisor.advise(150, CAP).recommended());
            clock.now = clock.now.plusSeconds(60);
        }
        assertThat(seen.get(0)).isEqualTo(19);
        assertThat(seen.get(seen.size() - 1)).isEqualTo(3);
        assertThat(seen.get(3)).isEqualTo(19); // the ramp peak is still inside the 5 min window
        assertThat(seen.get(4)).isEqualTo(3);
    }

    @Test
    void clampsAndExplains() {
        ScalingAdvisor advisor = new ScalingAdvisor(new ScalingConfig(0.5, 2, 4, Duration.ZERO, 0.1,
                Duration.ofMinutes(10), 0), new ManualClock());
        ScalingAdvice a = advisor.advise(10_000, CAP);
        assertThat(a.raw()).isEqualTo(200);
        assertThat(a.recommended()).isEqualTo(4);
        assertThat(a.toMap()).containsEntry("recommended_replicas", 4).containsKey("usl");
        assertThat(advisor.advise(1, CAP).recommended()).isEqualTo(2);
        assertThat(advisor.advise(1, null).reason()).startsWith("hold");
    }

    @Test
    void configValidationNamesTheField() {
        assertThatThrownBy(() -> new ScalingConfig(1.5, 2, 20, Duration.ofMinutes(5), 0.1, Duration.ofMinutes(15),
                0)).hasMessageContaining("predictor.scaling.target_utilization");
        assertThatThrownBy(() -> new ScalingConfig(0.7, 5, 2, Duration.ofMinutes(5), 0.1, Duration.ofMinutes(15),
                0)).hasMessageContaining("predictor.scaling.max_replicas");
    }
}
