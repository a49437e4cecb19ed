package io.sidecar.balancer.outlier;

import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.ScriptedRandom;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OutlierDetectorTest {

    private static final long S = 1_000_000_000L;

    private static OutlierDetector detector(OutlierDetectionConfig config, String... hosts) {
        OutlierDetector d = new OutlierDetector(config, new ScriptedRandom(), 0);
        d.setHosts(List.of(hosts));
        return d;
    }

    private static OutlierDetectionConfig.Builder cfg() {
        return OutlierDetectionConfig.builder().maxEjectionPercent(100);
    }

    @Test
    void fiveConsecutive5xxEjectOnTheFifth() {
        OutlierDetector d = detector(cfg().build(), "a:1", "b:1");
        for (int i = 0; i < 4; i++) {
            assertThat(d.onResult("a:1", Outcome.status(500), 0)).isNull();
        }
        assertThat(d.isEjected("a:1")).isFalse();
        assertThat(d.onResult("a:1", Outcome.failure(FailureKind.CONNECT_FAILURE), 0))
                .isEqualTo(EjectionReason.CONSECUTIVE_5XX);
        assertThat(d.isEjected("a:1")).isTrue();
        assertThat(d.isEjected("b:1")).isFalse();
    }

    @Test
    void aSuccessResetsTheRun() {
        OutlierDetector d = detector(cfg().build(), "a:1", "b:1");
        for (int i = 0; i < 4; i++) {
            d.onResult("a:1", Outcome.status(503), 0);
        }
        d.onResult("a:1", Outcome.status(404), 0);
        for (int i = 0; i < 4; i++) {
            d.onResult("a:1", Outcome.status(503), 0);
        }
        assertThat(d.isEjected("a:1")).isFalse();
        assertThat(d.status("a:1").consecutive5xx()).isEqualTo(4);
    }

    @Test
    void cancelledTriesAreIgnored() {
        OutlierDetector d = detector(cfg().build(), "a:1");
        for (int i = 0; i < 10; i++) {
            d.onResult("a:1", Outcome.CANCELLED, 0);
        }
        assertThat(d.isEjected("a:1")).isFalse();
    }

    @Test
    void ejectionTimeIsBaseTimesMultiplierCappedAndUnejectsAtTheInterval() {
        OutlierDetectionConfig c = cfg().baseEjectionTime(Duration.ofSeconds(30))
                .maxEjectionTime(Duration.ofSeconds(50)).interval(Duration.ofSeconds(10)).build();
        OutlierDetector d = detector(c, "a:1", "b:1");
        eject(d, "a:1", 0);
        assertThat(d.status("a:1").ejectedForNanos()).isEqualTo(30 * S);
        d.evaluate(20 * S);
        assertThat(d.isEjected("a:1")).isTrue();
        d.evaluate(30 * S);
        assertThat(d.isEjected("a:1")).isFalse();
        // second ejection: 2 × 30 s = 60 s, capped at max(base, max) = 50 s
        eject(d, "a:1", 31 * S);
        assertThat(d.status("a:1").ejectionMultiplier()).isEqualTo(2);
        assertThat(d.status("a:1").ejectedForNanos()).isEqualTo(50 * S);
        d.evaluate(80 * S);
        assertThat(d.isEjected("a:1")).isTrue();
        d.evaluate(81 * S);
        assertThat(d.isEjected("a:1")).isFalse();
    }

    @Test
    void multiplierShrinksWhileHealthyABaseTimeAfterUnejection() {
        OutlierDetectionConfig c = cfg().baseEjectionTime(Duration.ofSeconds(10)).build();
        OutlierDetector d = detector(c, "a:1", "b:1");
        eject(d, "a:1", 0);
        d.evaluate(10 * S);                 // unejected, multiplier stays 1
        assertThat(d.status("a:1").ejectionMultiplier()).isEqualTo(1);
        d.evaluate(15 * S);                 // only 5 s since unejection: no decrement
        assertThat(d.status("a:1").ejectionMultiplier()).isEqualTo(1);
        d.evaluate(20 * S);                 // a base time since unejection: decrement
        assertThat(d.status("a:1").ejectionMultiplier()).isZero();
    }

    @Test
    void maxEjectionPercentButAlwaysAtLeastOneHost() {
        OutlierDetector d = detector(OutlierDetectionConfig.builder().maxEjectionPercent(10).build(), "a:1", "b:1");
        eject(d, "a:1", 0);                  // 50 % > 10 %, but nobody is ejected yet → allowed
        assertThat(d.isEjected("a:1")).isTrue();
        eject(d, "b:1", 0);                  // 100 % > 10 % → refused
        assertThat(d.isEjected("b:1")).isFalse();
        assertThat(d.ejectedCount()).isEqualTo(1);
    }

    @Test
    void gatewayFailuresEjectOnlyWhenEnforced() {
        OutlierDetector off = detector(cfg().consecutive5xx(100).build(), "a:1", "b:1");
        for (int i = 0; i < 5; i++) {
            off.onResult("a:1", Outcome.status(502), 0);
        }
        assertThat(off.isEjected("a:1")).isFalse();   // Envoy default enforcing_consecutive_gateway_failure = 0
        OutlierDetector on = detector(cfg().consecutive5xx(100).enforcingConsecutiveGatewayFailure(100).build(),
                "a:1", "b:1");
        EjectionReason r = null;
        for (int i = 0; i < 5; i++) {
            r = on.onResult("a:1", i % 2 == 0 ? Outcome.status(504) : Outcome.failure(FailureKind.TIMEOUT), 0);
        }
        assertThat(r).isEqualTo(EjectionReason.CONSECUTIVE_GATEWAY_FAILURE);
        // a plain 500 is not a gateway failure: it resets that run
        OutlierDetector reset = detector(cfg().consecutive5xx(100).enforcingConsecutiveGatewayFailure(100).build(),
                "a:1", "b:1");
        for (int i = 0; i < 4; i++) {
            reset.onResult("a:1", Outcome.status(503), 0);
        }
        reset.onResult("a:1", Outcome.status(500), 0);
        reset.onResult("a:1", Outcome.status(503), 0);
        assertThat(reset.isEjected("a:1")).isFalse();
    }

    @Test
    void successRateEjectsBelowMeanMinusFactorStdev() {
        // rates 100,100,100,100,50: mean 90, population stdev 20 → threshold 90 − 1.9·20 = 52
        assertThat(OutlierDetector.successRateThreshold(new double[]{100, 100, 100, 100, 50}, 1.9))
                .isCloseTo(52.0, within(1e-9));
        OutlierDetector d = detector(cfg().consecutive5xx(1000).build(), "a:1", "b:1", "c:1", "d:1", "e:1");
        for (String h : List.of("a:1", "b:1", "c:1", "d:1")) {
            for (int i = 0; i < 100; i++) {
                d.onResult(h, Outcome.OK, 0);
            }
        }
        for (int i = 0; i < 100; i++) {
            d.onResult("e:1", i % 2 == 0 ? Outcome.OK : Outcome.status(500), 0);
        }
        d.evaluate(10 * S);
        assertThat(d.isEjected("e:1")).isTrue();
        assertThat(d.status("e:1").reason()).isEqualTo(EjectionReason.SUCCESS_RATE);
        assertThat(d.status("e:1").successRate()).isEqualTo(50.0);
        assertThat(d.ejectedCount()).isEqualTo(1);
    }

    @Test
    void successRateNeedsMinimumHostsAndVolume() {
        OutlierDetector fewHosts = detector(cfg().consecutive5xx(1000).build(), "a:1", "b:1", "c:1", "d:1");
        for (String h : List.of("a:1", "b:1", "c:1")) {
            for (int i = 0; i < 100; i++) {
                fewHosts.onResult(h, Outcome.OK, 0);
            }
        }
        for (int i = 0; i < 100; i++) {
            fewHosts.onResult("d:1", Outcome.status(500), 0);
        }
        fewHosts.evaluate(10 * S);
        assertThat(fewHosts.isEjected("d:1")).isFalse();   // 4 hosts < minimum 5

        OutlierDetector lowVolume = detector(cfg().consecutive5xx(1000).build(), "a:1", "b:1", "c:1", "d:1", "e:1");
        for (String h : List.of("a:1", "b:1", "c:1", "d:1")) {
            for (int i = 0; i < 100; i++) {
                lowVolume.onResult(h, Outcome.OK, 0);
            }
        }
        for (int i = 0; i < 99; i++) {
            lowVolume.onResult("e:1", Outcome.status(500), 0);
        }
        lowVolume.evaluate(10 * S);
        assertThat(lowVolume.isEjected("e:1")).isFalse();  // 99 < request volume 100
    }

    @Test
    void hostsKeepStateAcrossUpdates() {
        OutlierDetector d = detector(cfg().build(), "a:1", "b:1");
        eject(d, "a:1", 0);
        d.setHosts(List.of("a:1", "c:1"));
        assertThat(d.isEjected("a:1")).isTrue();
        assertThat(d.isEjected("b:1")).isFalse();
    }

    @Test
    void disabledNeverEjects() {
        OutlierDetector d = detector(OutlierDetectionConfig.DISABLED, "a:1", "b:1");
        for (int i = 0; i < 20; i++) {
            d.onResult("a:1", Outcome.status(500), 0);
        }
        assertThat(d.isEjected("a:1")).isFalse();
    }

    /** Failure percentage alone: consecutive-5xx and success-rate ejection are kept out of the way. */
    private static OutlierDetectionConfig.Builder failurePercentage() {
        return cfg().consecutive5xx(1_000_000).enforcingSuccessRate(0).enforcingFailurePercentage(100);
    }

    /** {@code failures} 500s then successes, {@code total} results in all. */
    private static void results(OutlierDetector d, String host, int total, int failures) {
        for (int i = 0; i < total; i++) {
            d.onResult(host, i < failures ? Outcome.status(500) : Outcome.OK, 0);
        }
    }

    @Test
    void failurePercentageEjectsAtOrAboveTheThreshold() {
        OutlierDetector d = detector(failurePercentage().build(), "a:1", "b:1", "c:1", "d:1", "e:1");
        results(d, "a:1", 50, 0);
        results(d, "b:1", 50, 0);
        results(d, "c:1", 50, 0);
        results(d, "d:1", 50, 42);  // 42/50 = 84 % < 85 %
        results(d, "e:1", 50, 43);  // 43/50 = 86 % >= 85 %
        d.evaluate(10 * S);
        assertThat(d.isEjected("d:1")).isFalse();
        assertThat(d.isEjected("e:1")).isTrue();
        assertThat(d.status("e:1").reason()).isEqualTo(EjectionReason.FAILURE_PERCENTAGE);
        assertThat(d.status("e:1").reason().id()).isEqualTo("failure_percentage");
        assertThat(d.status("e:1").successRate()).isCloseTo(14.0, within(1e-9));
        assertThat(d.status("d:1").successRate()).isCloseTo(16.0, within(1e-9));
    }

    @Test
    void failurePercentageExactlyAtTheThresholdEjects() {
        OutlierDetector d = detector(failurePercentage().failurePercentageRequestVolume(20)
                .failurePercentageMinimumHosts(2).build(), "a:1", "b:1");
        results(d, "a:1", 20, 0);
        results(d, "b:1", 20, 17);  // 17/20 = 85 %
        d.evaluate(10 * S);
        assertThat(d.isEjected("b:1")).isTrue();
    }

    @Test
    void failurePercentageIsNotEnforcedByDefault() {
        assertThat(OutlierDetectionConfig.DEFAULTS.enforcingFailurePercentage()).isZero();
        assertThat(OutlierDetectionConfig.DEFAULTS.failurePercentageThreshold()).isEqualTo(85);
        assertThat(OutlierDetectionConfig.DEFAULTS.failurePercentageMinimumHosts()).isEqualTo(5);
        assertThat(OutlierDetectionConfig.DEFAULTS.failurePercentageRequestVolume()).isEqualTo(50);
        OutlierDetector d = detector(cfg().consecutive5xx(1_000_000).enforcingSuccessRate(0).build(),
                "a:1", "b:1", "c:1", "d:1", "e:1");
        for (String h : List.of("a:1", "b:1", "c:1", "d:1", "e:1")) {
            results(d, h, 50, 50);
        }
        d.evaluate(10 * S);
        assertThat(d.ejectedCount()).isZero();
    }

    @Test
    void failurePercentageEnforcementIsAProbability() {
        OutlierDetectionConfig c = failurePercentage().enforcingFailurePercentage(30).failurePercentageMinimumHosts(1)
                .build();
        // nextInt(100) = 30 is not < 30: not enforced; then 29 < 30: enforced
        OutlierDetector d = new OutlierDetector(c, new ScriptedRandom(30, 29), 0);
        d.setHosts(List.of("a:1", "b:1"));
        results(d, "a:1", 50, 50);
        results(d, "b:1", 50, 50);
        d.evaluate(10 * S);
        assertThat(d.isEjected("a:1")).isFalse();
        assertThat(d.isEjected("b:1")).isTrue();
    }

    @Test
    void failurePercentageNeedsMinimumHostsAndVolumeAndSkipsEjectedHosts() {
        OutlierDetector d = detector(failurePercentage().build(), "a:1", "b:1", "c:1", "d:1", "e:1");
        results(d, "a:1", 50, 0);
        results(d, "b:1", 50, 0);
        results(d, "c:1", 50, 0);
        results(d, "d:1", 49, 0);   // below the request volume: only 4 hosts qualify
        results(d, "e:1", 50, 50);
        d.evaluate(10 * S);
        assertThat(d.isEjected("e:1")).isFalse();

        // an already ejected host does not count towards the minimum either
        // (consecutive 5xx ejects a:1; f:1 fails 4 of every 5, 80 % >= 70 %, never 5 in a row)
        OutlierDetector e = detector(failurePercentage().consecutive5xx(5).failurePercentageThreshold(70).build(),
                "a:1", "b:1", "c:1", "d:1", "e:1", "f:1");
        eject(e, "a:1", 0);
        for (String h : List.of("a:1", "b:1", "c:1", "d:1")) {
            results(e, h, 50, 0);
        }
        for (int i = 0; i < 50; i++) {
            e.onResult("f:1", i % 5 == 4 ? Outcome.OK : Outcome.status(500), 0);
        }
        e.evaluate(S);
        assertThat(e.isEjected("a:1")).isTrue();
        assertThat(e.isEjected("f:1")).isFalse();
        // with a fifth healthy host qualifying, f:1 is ejected
        results(e, "b:1", 50, 0);
        results(e, "c:1", 50, 0);
        results(e, "d:1", 50, 0);
        results(e, "e:1", 50, 0);
        for (int i = 0; i < 50; i++) {
            e.onResult("f:1", i % 5 == 4 ? Outcome.OK : Outcome.status(500), 0);
        }
        e.evaluate(2 * S);
        assertThat(e.isEjected("f:1")).isTrue();
    }

    @Test
    void failurePercentageRespectsMaxEjectionPercent() {
        // 5 hosts, 20 %: the first ejection is 1/5 = 20 % (allowed), a second would be 40 %
        OutlierDetector d = detector(failurePercentage().maxEjectionPercent(20).build(),
                "a:1", "b:1", "c:1", "d:1", "e:1");
        results(d, "a:1", 50, 0);
        results(d, "b:1", 50, 0);
        results(d, "c:1", 50, 0);
        results(d, "d:1", 50, 45);
        results(d, "e:1", 50, 45);
        d.evaluate(10 * S);
        assertThat(d.isEjected("d:1")).isTrue();
        assertThat(d.isEjected("e:1")).isFalse();
        assertThat(d.ejectedCount()).isEqualTo(1);
    }

    @Test
    void passingAnActiveHealthCheckUnejects() {
        OutlierDetector d = detector(cfg().build(), "a:1", "b:1");
        eject(d, "a:1", 0);
        assertThat(d.uneject("a:1", 2 * S)).isTrue();
        assertThat(d.isEjected("a:1")).isFalse();
        assertThat(d.uneject("a:1", 3 * S)).isFalse();
        assertThat(d.uneject("zz:1", 3 * S)).isFalse();
    }

    private static void eject(OutlierDetector d, String host, long at) {
        for (int i = 0; i < 5; i++) {
            d.onResult(host, Outcome.status(500), at);
        }
    }
}
