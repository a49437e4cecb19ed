package io.sidecar.balancer.retry;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Retry settings (Envoy route retry policy + cluster retry budget). Invalid values throw IllegalArgumentException
 * naming the field.
 *
 * @param maxRetries            retries after the first try (Envoy num_retries, default 1)
 * @param retryOn               conditions that allow a retry
 * @param retriableStatusCodes  codes for {@code retriable-status-codes}
 * @param perTryTimeout         0: a try may use all remaining route time
 * @param backoffBase           Envoy base_interval (25 ms)
 * @param backoffMax            Envoy max_interval (default 10 × base)
 * @param budgetPercent         Envoy retry_budget.budget_percent: active retries ≤ this % of active + pending requests
 * @param minRetryConcurrency   Envoy retry_budget.min_retry_concurrency: the budget never goes below this
 * @param replayBufferBytes     request bodies up to this size are buffered for replay; larger → no retry
 */
public record RetryConfig(int maxRetries, Set<RetryOn> retryOn, Set<Integer> retriableStatusCodes,
                          Duration perTryTimeout, Duration backoffBase, Duration backoffMax, double budgetPercent,
                          int minRetryConcurrency, long replayBufferBytes) {

    public static final int DEFAULT_MAX_RETRIES = 1;
    public static final Set<RetryOn> DEFAULT_RETRY_ON = Set.copyOf(EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM));
    public static final Duration DEFAULT_PER_TRY_TIMEOUT = Duration.ZERO;
    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);
    public static final double DEFAULT_BUDGET_PERCENT = 20.0;
    public static final int DEFAULT_MIN_RETRY_CONCURRENCY = 3;
    public static final long DEFAULT_REPLAY_BUFFER_BYTES = 64 * 1024;

    public static final RetryConfig DEFAULTS = builder().build();

    public RetryConfig {
        if (maxRetries < 0 || maxRetries > 100) {
            throw new IllegalArgumentException("retry.maxRetries must be 0..100, was " + maxRetries);
        }
        if (retryOn == null) {
            throw new IllegalArgumentException("retry.retryOn must not be null");
        }
        retryOn = Set.copyOf(retryOn);
        retriableStatusCodes = Set.copyOf(retriableStatusCodes == null ? Set.of() : retriableStatusCodes);
        for (int code : retriableStatusCodes) {
            if (code < 100 || code > 599) {
                throw new IllegalArgumentException("retry.retriableStatusCodes must be 100..599, was " + code);
            }
        }
        if (perTryTimeout == null || perTryTimeout.isNegative()) {
            throw new IllegalArgumentException("retry.perTryTimeout must be >= 0, was " + perTryTimeout);
        }
        if (backoffBase == null || backoffBase.isNegative() || backoffBase.isZero()) {
            throw new IllegalArgumentException("retry.backoffBase must be a positive duration, was " + backoffBase);
        }
        if (backoffMax == null || backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("retry.backoffMax must be >= retry.backoffBase, was " + backoffMax);
        }
        if (!(budgetPercent >= 0 && budgetPercent <= 100)) {
            throw new IllegalArgumentException("retry.budgetPercent must be 0..100, was " + budgetPercent);
        }
        if (minRetryConcurrency < 0) {
            throw new IllegalArgumentException("retry.minRetryConcurrency must be >= 0, was " + minRetryConcurrency);
        }
        if (replayBufferBytes < 0) {
            throw new IllegalArgumentException("retry.replayBufferBytes must be >= 0, was " + replayBufferBytes);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Set<RetryOn> retryOn = DEFAULT_RETRY_ON;
        private Set<Integer> retriableStatusCodes = Set.of();
        private Duration perTryTimeout = DEFAULT_PER_TRY_TIMEOUT;
        private Duration backoffBase = DEFAULT_BACKOFF_BASE;
        private Duration backoffMax = null;
        private double budgetPercent = DEFAULT_BUDGET_PERCENT;
        private int minRetryConcurrency = DEFAULT_MIN_RETRY_CONCURRENCY;
        private long replayBufferBytes = DEFAULT_REPLAY_BUFFER_BYTES;

        public Builder maxRetries(int v) { maxRetries = v; return this; }
        public Builder retryOn(Set<RetryOn> v) { retryOn = v; return this; }
        public Builder retriableStatusCodes(Set<Integer> v) { retriableStatusCodes = v; return this; }
        public Builder perTryTimeout(Duration v) { perTryTimeout = v; return this; }
        /** Also sets backoffMax to 10 × base unless backoffMax is set explicitly. */
        public Builder backoffBase(Duration v) { backoffBase = v; return this; }
        public Builder backoffMax(Duration v) { backoffMax = v; return this; }
        public Builder budgetPercent(double v) { budgetPercent = v; return this; }
        public Builder minRetryConcurrency(int v) { minRetryConcurrency = v; return this; }
        public Builder replayBufferBytes(long v) { replayBufferBytes = v; return this; }

        public RetryConfig build() {
            Duration max = backoffMax != null ? backoffMax
                    : (backoffBase == null ? null : backoffBase.multipliedBy(10));
            return new RetryConfig(maxRetries, retryOn, retriableStatusCodes, perTryTimeout, backoffBase, max,
                    budgetPercent, minRetryConcurrency, replayBufferBytes);
        }
    }
}
