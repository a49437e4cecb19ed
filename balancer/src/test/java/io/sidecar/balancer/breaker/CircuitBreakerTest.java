package io.sidecar.balancer.breaker;

import io.sidecar.balancer.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CircuitBreakerTest {

    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();

    private CircuitBreaker breaker(CircuitBreakerConfig.Builder b) {
        return new CircuitBreaker("c", b.build(), clock);
    }

    private static CircuitBreakerConfig.Builder small() {
        return CircuitBreakerConfig.builder().slidingWindowSize(10).minimumNumberOfCalls(4)
                .permittedNumberOfCallsInHalfOpenState(2).waitDurationInOpenState(Duration.ofSeconds(10));
    }

    private static void record(CircuitBreaker b, int ok, int failed) {
        for (int i = 0; i < ok; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onResult(MS, false);
        }
        for (int i = 0; i < failed; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onResult(MS, true);
        }
    }

    @Test
    void opensWhenTheFailureRateReachesTheThresholdAfterMinimumCalls() {
        CircuitBreaker b = breaker(small());
        record(b, 0, 3);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);   // 3 < minimum 4
        assertThat(b.metrics().failureRate()).isEqualTo(-1f);
        record(b, 1, 0);                                              // 3 of 4 failed = 75 % ≥ 50 %
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.metrics().notPermittedCalls()).isEqualTo(1);
    }

    @Test
    void exactlyTheThresholdOpens() {
        CircuitBreaker b = breaker(small());
        record(b, 2, 2);                                              // 50 % ≥ 50 %
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void belowTheThresholdStaysClosedAndTheCountWindowSlides() {
        CircuitBreaker b = breaker(small());
        record(b, 6, 4);                                              // 40 %
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        record(b, 10, 0);                                             // failures slid out
        assertThat(b.metrics().failedCalls()).isZero();
        assertThat(b.metrics().calls()).isEqualTo(10);
    }

    @Test
    void slowCallsOpenByTheSlowCallRate() {
        CircuitBreaker b = breaker(small().slowCallDurationThreshold(Duration.ofMillis(100)).slowCallRateThreshold(50));
        for (int i = 0; i < 2; i++) {
            b.tryAcquirePermission();
            b.onResult(100 * MS, false);                              // exactly the threshold: not slow
        }
        for (int i = 0; i < 2; i++) {
            b.tryAcquirePermission();
            b.onResult(101 * MS, false);
        }
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);   // 2 of 4 slow = 50 %
    }

    @Test
    void halfOpenAfterTheWaitThenClosesOnSuccess() {
        CircuitBreaker b = breaker(small());
        record(b, 0, 4);
        clock.advanceMillis(9_999);
        assertThat(b.tryAcquirePermission()).isFalse();
        clock.advanceMillis(1);
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isFalse();               // only 2 permitted
        b.onResult(MS, false);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        b.onResult(MS, false);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void halfOpenFailureReopensWithBackoff() {
        CircuitBreaker b = breaker(small().openWaitMultiplier(2.0).maxWaitDurationInOpenState(Duration.ofSeconds(30)));
        record(b, 0, 4);
        clock.advanceMillis(10_000);
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isTrue();
        b.onResult(MS, true);
        b.onResult(MS, true);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
        clock.advanceMillis(10_000);
        assertThat(b.tryAcquirePermission()).isFalse();               // second opening waits 20 s
        clock.advanceMillis(10_000);
        assertThat(b.tryAcquirePermission()).isTrue();
        b.tryAcquirePermission();
        b.onResult(MS, true);
        b.onResult(MS, true);
        clock.advanceMillis(29_999);                                  // third: 40 s capped at 30 s
        assertThat(b.tryAcquirePermission()).isFalse();
        clock.advanceMillis(1);
        assertThat(b.tryAcquirePermission()).isTrue();
    }

    @Test
    void releasedPermissionsReturnToTheHalfOpenPool() {
        CircuitBreaker b = breaker(small());
        b.transitionToHalfOpenState();
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isFalse();
        b.releasePermission();
        assertThat(b.tryAcquirePermission()).isTrue();
    }

    @Test
    void halfOpenMaxWaitReopens() {
        CircuitBreaker b = breaker(small().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
        b.transitionToHalfOpenState();
        clock.advanceMillis(5_000);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void disabledPermitsAndRecordsNothing() {
        CircuitBreaker b = breaker(small());
        b.transitionToDisabledState();
        record(b, 0, 20);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.DISABLED);
        assertThat(b.metrics().calls()).isZero();
        assertThat(new CircuitBreaker("d", CircuitBreakerConfig.DISABLED, clock).state())
                .isEqualTo(CircuitBreakerState.DISABLED);
    }

    @Test
    void forcedOpenRefusesEverythingUntilTransitioned() {
        CircuitBreaker b = breaker(small());
        b.transitionToForcedOpenState();
        clock.advanceMillis(1_000_000);
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        b.transitionTo(CircuitBreakerState.CLOSED);
        assertThat(b.tryAcquirePermission()).isTrue();
    }

    @Test
    void metricsOnlyRecordsButNeverOpens() {
        CircuitBreaker b = breaker(small());
        b.transitionToMetricsOnlyState();
        record(b, 0, 10);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.METRICS_ONLY);
        assertThat(b.metrics().failureRate()).isEqualTo(100f);
    }

    @Test
    void manualOpenAndResetWork() {
        CircuitBreaker b = breaker(small());
        b.transitionToOpenState();
        assertThat(b.tryAcquirePermission()).isFalse();
        b.reset();
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(b.tryAcquirePermission()).isTrue();
    }

    @Test
    void timeBasedWindowForgetsCallsOlderThanTheWindow() {
        CircuitBreaker b = breaker(small().slidingWindowType(SlidingWindowType.TIME_BASED).slidingWindowSize(10)
                .minimumNumberOfCalls(4));
        record(b, 0, 3);
        clock.advanceMillis(10_000);                                  // the 3 failures age out
        record(b, 1, 0);
        assertThat(b.metrics().calls()).isEqualTo(1);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.CLOSED);
        record(b, 0, 3);                                              // 3 of 4 in the window
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void countWindowMinimumIsCappedByTheWindowSize() {
        CircuitBreaker b = breaker(small().slidingWindowSize(3).minimumNumberOfCalls(100));
        record(b, 1, 2);
        assertThat(b.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void invalidConfigNamesTheField() {
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("circuitBreaker.failureRateThreshold");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().slidingWindowSize(0).build())
                .hasMessageContaining("circuitBreaker.slidingWindowSize");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder().waitDurationInOpenState(Duration.ZERO).build())
                .hasMessageContaining("circuitBreaker.waitDurationInOpenState");
    }

    @Test
    void stateNamesParseForTheControlApi() {
        assertThat(CircuitBreakerState.parse("forced-open")).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(CircuitBreakerState.parse(" metrics_only ")).isEqualTo(CircuitBreakerState.METRICS_ONLY);
        assertThatThrownBy(() -> CircuitBreakerState.parse("ajar")).hasMessageContaining("valid: CLOSED");
    }
}
