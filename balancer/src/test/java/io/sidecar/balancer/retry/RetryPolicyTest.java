package io.sidecar.balancer.retry;

import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private static final long MS = 1_000_000L;

    private static RetryPolicy policy(RetryOn... on) {
        return new RetryPolicy(RetryConfig.builder().maxRetries(2).retryOn(Set.of(on))
                .retriableStatusCodes(Set.of(409)).build());
    }

    @Test
    void retryOnConditionsFollowEnvoy() {
        RetryPolicy fiveXx = policy(RetryOn.FIVE_XX);
        assertThat(fiveXx.retriable(Outcome.status(500))).isTrue();
        assertThat(fiveXx.retriable(Outcome.failure(FailureKind.RESET))).isTrue();
        assertThat(fiveXx.retriable(Outcome.status(404))).isFalse();
        RetryPolicy gateway = policy(RetryOn.GATEWAY_ERROR);
        assertThat(gateway.retriable(Outcome.status(502))).isTrue();
        assertThat(gateway.retriable(Outcome.status(504))).isTrue();
        assertThat(gateway.retriable(Outcome.status(500))).isFalse();
        assertThat(gateway.retriable(Outcome.failure(FailureKind.TIMEOUT))).isTrue();
        RetryPolicy reset = policy(RetryOn.RESET);
        assertThat(reset.retriable(Outcome.failure(FailureKind.RESET))).isTrue();
        assertThat(reset.retriable(Outcome.failure(FailureKind.CONNECT_FAILURE))).isFalse();
        RetryPolicy connect = policy(RetryOn.CONNECT_FAILURE);
        assertThat(connect.retriable(Outcome.failure(FailureKind.CONNECT_FAILURE))).isTrue();
        assertThat(connect.retriable(Outcome.status(503))).isFalse();
        RetryPolicy codes = policy(RetryOn.RETRIABLE_STATUS_CODES);
        assertThat(codes.retriable(Outcome.status(409))).isTrue();
        assertThat(codes.retriable(Outcome.status(500))).isFalse();
        assertThat(policy(RetryOn.values()).retriable(Outcome.CANCELLED)).isFalse();
    }

    @Test
    void onlyIdempotentMethodsUnlessTheRouteOverrides() {
        RetryPolicy p = policy(RetryOn.FIVE_XX, RetryOn.CONNECT_FAILURE);
        assertThat(p.shouldRetry(1, Outcome.status(503), "GET", false)).isTrue();
        assertThat(p.shouldRetry(1, Outcome.status(503), "put", false)).isTrue();
        assertThat(p.shouldRetry(1, Outcome.status(503), "POST", false)).isFalse();
        assertThat(p.shouldRetry(1, Outcome.failure(FailureKind.RESET), "PATCH", false)).isFalse();
        assertThat(p.shouldRetry(1, Outcome.status(503), "POST", true)).isTrue();
        // the upstream never saw the request: safe for any method
        assertThat(p.shouldRetry(1, Outcome.failure(FailureKind.CONNECT_FAILURE), "POST", false)).isTrue();
    }

    @Test
    void attemptsAreBounded() {
        RetryPolicy p = policy(RetryOn.FIVE_XX);
        assertThat(p.shouldRetry(1, Outcome.status(500), "GET", false)).isTrue();
        assertThat(p.shouldRetry(2, Outcome.status(500), "GET", false)).isTrue();
        assertThat(p.shouldRetry(3, Outcome.status(500), "GET", false)).isFalse();
        assertThat(new RetryPolicy(RetryConfig.builder().maxRetries(0).retryOn(Set.of(RetryOn.FIVE_XX)).build())
                .shouldRetry(1, Outcome.status(500), "GET", false)).isFalse();
    }

    @Test
    void backoffIsFullyJitteredExponentialWithCap() {
        RetryPolicy p = new RetryPolicy(RetryConfig.DEFAULTS);   // base 25 ms, max 250 ms
        assertThat(p.backoffCeilingNanos(1)).isEqualTo(25 * MS);
        assertThat(p.backoffCeilingNanos(2)).isEqualTo(75 * MS);
        assertThat(p.backoffCeilingNanos(3)).isEqualTo(175 * MS);
        assertThat(p.backoffCeilingNanos(4)).isEqualTo(250 * MS);
        assertThat(p.backoffCeilingNanos(40)).isEqualTo(250 * MS);
        SplittableRandom random = new SplittableRandom(7);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long b = p.backoffNanos(2, random);
            assertThat(b).isBetween(0L, 75 * MS);
            min = Math.min(min, b);
            max = Math.max(max, b);
        }
        // fully jittered: the samples spread over the whole range
        assertThat(min).isLessThan(5 * MS);
        assertThat(max).isGreaterThan(70 * MS);
    }

    @Test
    void perTryTimeoutFitsInTheRouteTimeout() {
        RetryPolicy p = new RetryPolicy(RetryConfig.builder().perTryTimeout(Duration.ofMillis(800)).build());
        assertThat(p.tryTimeoutNanos(2_000 * MS, 0)).isEqualTo(800 * MS);
        assertThat(p.tryTimeoutNanos(2_000 * MS, 1_500 * MS)).isEqualTo(500 * MS);
        assertThat(p.tryTimeoutNanos(2_000 * MS, 2_000 * MS)).isZero();
        assertThat(p.tryTimeoutNanos(0, 10_000 * MS)).isEqualTo(800 * MS);        // no route timeout
        RetryPolicy noPerTry = new RetryPolicy(RetryConfig.DEFAULTS);
        assertThat(noPerTry.tryTimeoutNanos(2_000 * MS, 500 * MS)).isEqualTo(1_500 * MS);
        assertThat(noPerTry.tryTimeoutNanos(0, 0)).isEqualTo(RetryPolicy.NO_TIMEOUT);
    }

    @Test
    void budgetIsTwentyPercentOfActiveWithAMinimumOfThree() {
        RetryPolicy p = new RetryPolicy(RetryConfig.DEFAULTS);
        assertThat(p.maxActiveRetries(0, 0)).isEqualTo(3);
        assertThat(p.maxActiveRetries(10, 0)).isEqualTo(3);       // 20 % of 10 = 2 < 3
        assertThat(p.maxActiveRetries(25, 5)).isEqualTo(6);       // 20 % of 30
        assertThat(p.withinBudget(5, 25, 5)).isTrue();
        assertThat(p.withinBudget(6, 25, 5)).isFalse();
        assertThat(p.withinBudget(2, 0, 0)).isTrue();
        assertThat(p.withinBudget(3, 0, 0)).isFalse();
    }

    @Test
    void bodiesAboveTheReplayBufferAreNotRetried() {
        RetryPolicy p = new RetryPolicy(RetryConfig.builder().replayBufferBytes(1024).build());
        assertThat(p.canReplayBody(1024)).isTrue();
        assertThat(p.canReplayBody(1025)).isFalse();
    }

    @Test
    void namesParseAndBadValuesAreRejectedWithTheField() {
        assertThat(RetryOn.parse("gateway-error")).isEqualTo(RetryOn.GATEWAY_ERROR);
        assertThat(EnumSet.allOf(RetryOn.class)).allSatisfy(r -> assertThat(RetryOn.parse(r.id())).isEqualTo(r));
        assertThatThrownBy(() -> RetryOn.parse("sometimes")).hasMessageContaining("valid: 5xx");
        assertThatThrownBy(() -> RetryConfig.builder().maxRetries(-1).build()).hasMessageContaining("retry.maxRetries");
        assertThatThrownBy(() -> RetryConfig.builder().budgetPercent(120).build()).hasMessageContaining("retry.budgetPercent");
        assertThatThrownBy(() -> RetryConfig.builder().retriableStatusCodes(Set.of(99)).build())
                .hasMessageContaining("retry.retriableStatusCodes");
    }
}
