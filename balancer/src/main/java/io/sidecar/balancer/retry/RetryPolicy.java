package io.sidecar.balancer.retry;

import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.Outcome;

import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Retry decisions of one route/cluster. Stateless apart from the config: thread-safe.
 *
 * <ul>
 *   <li>{@link #shouldRetry}: attempts left, a matching retry-on condition, and an idempotent method (RFC 9110
 *       §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE) unless the route overrides. A connect failure or refused
 *       stream is retried for any method: the upstream never saw the request.</li>
 *   <li>{@link #backoffNanos}: Envoy's fully jittered exponential backoff: the n-th retry waits a uniformly random
 *       time in {@code [0, min((2^n - 1) · base, max)]} (Envoy docs "x-envoy-max-retries", base 25 ms).</li>
 *   <li>{@link #tryTimeoutNanos}: a try gets {@code min(perTryTimeout, routeTimeout - elapsed)}.</li>
 *   <li>{@link #withinBudget}: Envoy's retry budget: active retries &lt;
 *       {@code max(minRetryConcurrency, budgetPercent % · (active + pending requests))}.</li>
 * </ul>
 */
public final class RetryPolicy {

    /** RFC 9110 §9.2.2 idempotent methods. */
    public static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    /** Returned by {@link #tryTimeoutNanos} when neither the route nor the try has a timeout. */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;

    private final RetryConfig config;

    public RetryPolicy(RetryConfig config) {
        this.config = config;
    }

    public RetryConfig config() {
        return config;
    }

    public static boolean isIdempotent(String method) {
        return method != null && IDEMPOTENT_METHODS.contains(method.toUpperCase(Locale.ROOT));
    }

    /** Whether the outcome matches a configured retry-on condition. */
    public boolean retriable(Outcome outcome) {
        for (RetryOn on : config.retryOn()) {
            if (on.matches(outcome, config.retriableStatusCodes())) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param attempt            tries made so far (1 after the first try failed)
     * @param outcome            the outcome of the last try
     * @param method             the request method
     * @param idempotentOverride the route allows retrying non-idempotent methods
     */
    public boolean shouldRetry(int attempt, Outcome outcome, String method, boolean idempotentOverride) {
        if (attempt < 1 || attempt > config.maxRetries() || !retriable(outcome)) {
            return false;
        }
        boolean neverSent = outcome.failure() == FailureKind.CONNECT_FAILURE
                || outcome.failure() == FailureKind.REFUSED_STREAM;
        return neverSent || idempotentOverride || isIdempotent(method);
    }

    /** Bodies larger than the replay buffer cannot be retried. */
    public boolean canReplayBody(long bodyBytes) {
        return bodyBytes <= config.replayBufferBytes();
    }

    /** Upper bound of the n-th retry's backoff (n ≥ 1): min((2^n − 1) · base, max). */
    public long backoffCeilingNanos(int retryNumber) {
        long base = config.backoffBase().toNanos();
        long max = config.backoffMax().toNanos();
        int n = Math.max(1, Math.min(retryNumber, 62));
        double ceiling = ((double) ((1L << n) - 1)) * base;
        return (long) Math.min(ceiling, max);
    }

    /** Fully jittered backoff before the n-th retry (n ≥ 1): uniform in [0, ceiling]. */
    public long backoffNanos(int retryNumber, RandomGenerator random) {
        long ceiling = backoffCeilingNanos(retryNumber);
        return ceiling == 0 ? 0 : random.nextLong(ceiling + 1);
    }

    /**
     * Timeout of the next try: {@code min(perTryTimeout, routeTimeout - elapsed)}; a zero route timeout means none.
     * Returns 0 when no route time is left (do not start the try), {@link #NO_TIMEOUT} when unbounded.
     */
    public long tryTimeoutNanos(long routeTimeoutNanos, long elapsedNanos) {
        long perTry = config.perTryTimeout().toNanos();
        long remaining = routeTimeoutNanos > 0 ? routeTimeoutNanos - elapsedNanos : NO_TIMEOUT;
        if (remaining <= 0) {
            return 0;
        }
        return perTry > 0 ? Math.min(perTry, remaining) : remaining;
    }

    /** Envoy retry budget: may one more retry start with these counters? */
    public boolean withinBudget(int activeRetries, int activeRequests, int pendingRequests) {
        return activeRetries < maxActiveRetries(activeRequests, pendingRequests);
    }

    /** max(minRetryConcurrency, budgetPercent % of (active + pending)). */
    public int maxActiveRetries(int activeRequests, int pendingRequests) {
        int byBudget = (int) (config.budgetPercent() / 100.0 * (activeRequests + pendingRequests));
        return Math.max(config.minRetryConcurrency(), byBudget);
    }
}
