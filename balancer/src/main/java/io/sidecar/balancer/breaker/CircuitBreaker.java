package io.sidecar.balancer.breaker;

import java.util.function.LongSupplier;

/**
 * A circuit breaker with Resilience4j's semantics ({@code CircuitBreakerStateMachine}):
 *
 * <ul>
 *   <li>CLOSED: calls permitted; each result is recorded in the sliding window; once the window holds at least
 *       {@code minimumNumberOfCalls} (for a count window: at most its size), the breaker opens when
 *       {@code failureRate >= failureRateThreshold} or {@code slowCallRate >= slowCallRateThreshold} (a call is slow
 *       when its duration is strictly greater than {@code slowCallDurationThreshold}).</li>
 *   <li>OPEN: calls refused until the open wait passed; the next permission request then moves to HALF_OPEN.
 *       The n-th consecutive opening waits {@code wait · multiplier^(n-1)} capped (exponential backoff).</li>
 *   <li>HALF_OPEN: {@code permittedNumberOfCallsInHalfOpenState} calls permitted; their results, in a fresh window
 *       of that size, decide: thresholds exceeded → OPEN, else → CLOSED. With {@code maxWaitDurationInHalfOpenState}
 *       &gt; 0 the breaker re-opens if the permitted calls have not all completed in time.</li>
 *   <li>DISABLED (permit, record nothing), FORCED_OPEN (refuse all), METRICS_ONLY (permit, record, never open):
 *       reached and left only through the transition methods (the control API).</li>
 * </ul>
 * Thread-safe (one monitor); time from the injected nano clock.
 */
public final class CircuitBreaker {

    private final String name;
    private final CircuitBreakerConfig config;
    private final LongSupplier nanoClock;
    private final long slowCallNanos;

    private CircuitBreakerState state;
    private SlidingWindow window;
    private int minimumCalls;
    private int openAttempts;
    private long openUntilNanos;
    private long halfOpenSinceNanos;
    private int halfOpenPermitsLeft;
    private long notPermittedCalls;

    public CircuitBreaker(String name, CircuitBreakerConfig config, LongSupplier nanoClock) {
        this.name = name;
        this.config = config;
        this.nanoClock = nanoClock;
        this.slowCallNanos = config.slowCallDurationThreshold().toNanos();
        if (config.enabled()) {
            toClosed();
        } else {
            state = CircuitBreakerState.DISABLED;
            newClosedWindow();
        }
    }

    public String name() {
        return name;
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    private void newClosedWindow() {
        if (config.slidingWindowType() == SlidingWindowType.COUNT_BASED) {
            window = new CountSlidingWindow(config.slidingWindowSize());
            minimumCalls = Math.min(config.minimumNumberOfCalls(), config.slidingWindowSize());
        } else {
            window = new TimeSlidingWindow(config.slidingWindowSize());
            minimumCalls = config.minimumNumberOfCalls();
        }
    }

    private void toClosed() {
        state = CircuitBreakerState.CLOSED;
        openAttempts = 0;
        newClosedWindow();
    }

    private void toOpen(long nowNanos) {
        state = CircuitBreakerState.OPEN;
        openAttempts++;
        double wait = config.waitDurationInOpenState().toNanos()
                * Math.pow(config.openWaitMultiplier(), openAttempts - 1);
        long waitNanos = (long) Math.min(wait, config.maxWaitDurationInOpenState().toNanos());
        openUntilNanos = nowNanos + waitNanos;
    }

    private void toHalfOpen(long nowNanos) {
        state = CircuitBreakerState.HALF_OPEN;
        halfOpenSinceNanos = nowNanos;
        halfOpenPermitsLeft = config.permittedNumberOfCallsInHalfOpenState();
        window = new CountSlidingWindow(config.permittedNumberOfCallsInHalfOpenState());
        minimumCalls = config.permittedNumberOfCallsInHalfOpenState();
    }

    private void expireHalfOpen(long nowNanos) {
        long maxWait = config.maxWaitDurationInHalfOpenState().toNanos();
        if (state == CircuitBreakerState.HALF_OPEN && maxWait > 0 && nowNanos - halfOpenSinceNanos >= maxWait) {
            toOpen(nowNanos);
        }
    }

    /** Asks to make a call; false means refused (answer 503 BO). A permitted call must end in exactly one of
     * {@link #onResult} or {@link #releasePermission}. */
    public synchronized boolean tryAcquirePermission() {
        long now = nanoClock.getAsLong();
        expireHalfOpen(now);
        switch (state) {
            case CLOSED, DISABLED, METRICS_ONLY:
                return true;
            case OPEN:
                if (now >= openUntilNanos) {
                    toHalfOpen(now);
                    return acquireHalfOpen();
                }
                notPermittedCalls++;
                return false;
            case HALF_OPEN:
                return acquireHalfOpen();
            default:
                notPermittedCalls++;
                return false;
        }
    }

    private boolean acquireHalfOpen() {
        if (halfOpenPermitsLeft > 0) {
            halfOpenPermitsLeft--;
            return true;
        }
        notPermittedCalls++;
        return false;
    }

    /** Whether a call would be permitted now, without consuming a permission or changing state. */
    public synchronized boolean wouldPermit() {
        long now = nanoClock.getAsLong();
        return switch (state) {
            case CLOSED, DISABLED, METRICS_ONLY -> true;
            case OPEN -> now >= openUntilNanos;
            case HALF_OPEN -> halfOpenPermitsLeft > 0
                    && !(config.maxWaitDurationInHalfOpenState().toNanos() > 0
                    && now - halfOpenSinceNanos >= config.maxWaitDurationInHalfOpenState().toNanos());
            case FORCED_OPEN -> false;
        };
    }

    /** A permitted call was abandoned without a result (cancelled): give the half-open permit back. */
    public synchronized void releasePermission() {
        if (state == CircuitBreakerState.HALF_OPEN
                && halfOpenPermitsLeft < config.permittedNumberOfCallsInHalfOpenState()) {
            halfOpenPermitsLeft++;
        }
    }

    /** Records a permitted call's result. */
    public synchronized void onResult(long durationNanos, boolean failed) {
        long now = nanoClock.getAsLong();
        boolean slow = durationNanos > slowCallNanos;
        switch (state) {
            case DISABLED, FORCED_OPEN:
                return;
            case OPEN:
                window.record(failed, slow, now);
                return;
            case METRICS_ONLY:
                window.record(failed, slow, now);
                return;
            case CLOSED: {
                WindowSnapshot s = window.record(failed, slow, now);
                if (aboveThresholds(s)) {
                    toOpen(now);
                }
                return;
            }
            case HALF_OPEN: {
                WindowSnapshot s = window.record(failed, slow, now);
                if (s.totalCalls() >= minimumCalls) {
                    if (aboveThresholds(s)) {
                        toOpen(now);
                    } else {
                        toClosed();
                    }
                }
                return;
            }
            default:
        }
    }

    private boolean aboveThresholds(WindowSnapshot s) {
        float failureRate = s.failureRate(minimumCalls);
        float slowRate = s.slowCallRate(minimumCalls);
        if (failureRate < 0 || slowRate < 0) {
            return false;
        }
        return failureRate >= config.failureRateThreshold() || slowRate >= config.slowCallRateThreshold();
    }

    public synchronized CircuitBreakerState state() {
        expireHalfOpen(nanoClock.getAsLong());
        return state;
    }

    /** Metrics of the current window. */
    public synchronized Metrics metrics() {
        WindowSnapshot s = window.snapshot(nanoClock.getAsLong());
        return new Metrics(state, s.failureRate(minimumCalls), s.slowCallRate(minimumCalls), s.totalCalls(),
                s.failedCalls(), s.slowCalls(), notPermittedCalls,
                state == CircuitBreakerState.OPEN ? Math.max(0, openUntilNanos - nanoClock.getAsLong()) : 0);
    }

    /** Read-only figures (rates -1 below the minimum number of calls). */
    public record Metrics(CircuitBreakerState state, float failureRate, float slowCallRate, long calls,
                          long failedCalls, long slowCalls, long notPermittedCalls, long openRemainingNanos) {
    }

    public synchronized void transitionToClosedState() {
        toClosed();
    }

    public synchronized void transitionToOpenState() {
        toOpen(nanoClock.getAsLong());
    }

    public synchronized void transitionToHalfOpenState() {
        toHalfOpen(nanoClock.getAsLong());
    }

    public synchronized void transitionToDisabledState() {
        state = CircuitBreakerState.DISABLED;
        newClosedWindow();
    }

    public synchronized void transitionToForcedOpenState() {
        state = CircuitBreakerState.FORCED_OPEN;
    }

    public synchronized void transitionToMetricsOnlyState() {
        state = CircuitBreakerState.METRICS_ONLY;
        newClosedWindow();
    }

    /** Back to CLOSED with empty metrics and no open backoff. */
    public synchronized void reset() {
        notPermittedCalls = 0;
        toClosed();
    }

    /** Transition by state name (for the control API): throws IllegalArgumentException naming the valid ones. */
    public void transitionTo(CircuitBreakerState target) {
        switch (target) {
            case CLOSED -> transitionToClosedState();
            case OPEN -> transitionToOpenState();
            case HALF_OPEN -> transitionToHalfOpenState();
            case DISABLED -> transitionToDisabledState();
            case FORCED_OPEN -> transitionToForcedOpenState();
            case METRICS_ONLY -> transitionToMetricsOnlyState();
            default -> throw new IllegalArgumentException("unknown state " + target);
        }
    }
}
