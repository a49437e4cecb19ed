package io.sidecar.balancer.breaker;

import static io.sidecar.balancer.ConfigRequire.rate;
import static io.sidecar.balancer.ConfigRequire.positive;
import static io.sidecar.balancer.ConfigRequire.atLeastOne;

import java.time.Duration;

/**
 * Circuit breaker settings with Resilience4j's names and defaults ({@code CircuitBreakerConfig}). The open wait
 * backs off exponentially: the n-th consecutive opening waits
 * {@code min(waitDurationInOpenState · openWaitMultiplier^(n-1), maxWaitDurationInOpenState)} (Resilience4j
 * {@code IntervalFunction.ofExponentialBackoff}); multiplier 1 gives a constant wait.
 * Invalid values throw IllegalArgumentException naming the field.
 *
 * @param enabled false starts the breaker in DISABLED
 * @param maxWaitDurationInHalfOpenState 0: stay half-open until the permitted calls completed
 */
public record CircuitBreakerConfig(boolean enabled, float failureRateThreshold, float slowCallRateThreshold,
                                   Duration slowCallDurationThreshold, int permittedNumberOfCallsInHalfOpenState,
                                   Duration maxWaitDurationInHalfOpenState, SlidingWindowType slidingWindowType,
                                   int slidingWindowSize, int minimumNumberOfCalls,
                                   Duration waitDurationInOpenState, double openWaitMultiplier,
                                   Duration maxWaitDurationInOpenState) {

    public static final boolean DEFAULT_ENABLED = true;
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    public static final float DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100f;
    public static final Duration DEFAULT_SLOW_CALL_DURATION_THRESHOLD = Duration.ofSeconds(60);
    public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 10;
    public static final Duration DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE = Duration.ZERO;
    public static final SlidingWindowType DEFAULT_SLIDING_WINDOW_TYPE = SlidingWindowType.COUNT_BASED;
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 100;
    public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 100;
    public static final Duration DEFAULT_WAIT_DURATION_IN_OPEN_STATE = Duration.ofSeconds(60);
    public static final double DEFAULT_OPEN_WAIT_MULTIPLIER = 1.0;
    public static final Duration DEFAULT_MAX_WAIT_DURATION_IN_OPEN_STATE = Duration.ofMinutes(5);

    public static final CircuitBreakerConfig DEFAULTS = builder().build();
    public static final CircuitBreakerConfig DISABLED = builder().enabled(false).build();

    public CircuitBreakerConfig {
        rate("circuitBreaker.failureRateThreshold", failureRateThreshold);
        rate("circuitBreaker.slowCallRateThreshold", slowCallRateThreshold);
        positive("circuitBreaker.slowCallDurationThreshold", slowCallDurationThreshold);
        atLeastOne("circuitBreaker.permittedNumberOfCallsInHalfOpenState", permittedNumberOfCallsInHalfOpenState);
        if (maxWaitDurationInHalfOpenState == null || maxWaitDurationInHalfOpenState.isNegative()) {
            throw new IllegalArgumentException("circuitBreaker.maxWaitDurationInHalfOpenState must be >= 0, was "
                    + maxWaitDurationInHalfOpenState);
        }
        if (slidingWindowType == null) {
            throw new IllegalArgumentException("circuitBreaker.slidingWindowType must be COUNT_BASED or TIME_BASED");
        }
        atLeastOne("circuitBreaker.slidingWindowSize", slidingWindowSize);
        atLeastOne("circuitBreaker.minimumNumberOfCalls", minimumNumberOfCalls);
        positive("circuitBreaker.waitDurationInOpenState", waitDurationInOpenState);
        if (!(openWaitMultiplier >= 1.0) || Double.isInfinite(openWaitMultiplier)) {
            throw new IllegalArgumentException("circuitBreaker.openWaitMultiplier must be >= 1, was " + openWaitMultiplier);
        }
        positive("circuitBreaker.maxWaitDurationInOpenState", maxWaitDurationInOpenState);
        if (maxWaitDurationInOpenState.compareTo(waitDurationInOpenState) < 0) {
            throw new IllegalArgumentException("circuitBreaker.maxWaitDurationInOpenState must be >= waitDurationInOpenState");
        }
    }




    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private float slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;
        private Duration slowCallDurationThreshold = DEFAULT_SLOW_CALL_DURATION_THRESHOLD;
        private int permittedNumberOfCallsInHalfOpenState = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        private Duration maxWaitDurationInHalfOpenState = DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE;
        private SlidingWindowType slidingWindowType = DEFAULT_SLIDING_WINDOW_TYPE;
        private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        private int minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;
        private Duration waitDurationInOpenState = DEFAULT_WAIT_DURATION_IN_OPEN_STATE;
        private double openWaitMultiplier = DEFAULT_OPEN_WAIT_MULTIPLIER;
        private Duration maxWaitDurationInOpenState = DEFAULT_MAX_WAIT_DURATION_IN_OPEN_STATE;

        public Builder enabled(boolean v) { enabled = v; return this; }
        public Builder failureRateThreshold(float v) { failureRateThreshold = v; return this; }
        public Builder slowCallRateThreshold(float v) { slowCallRateThreshold = v; return this; }
        public Builder slowCallDurationThreshold(Duration v) { slowCallDurationThreshold = v; return this; }
        public Builder permittedNumberOfCallsInHalfOpenState(int v) { permittedNumberOfCallsInHalfOpenState = v; return this; }
        public Builder maxWaitDurationInHalfOpenState(Duration v) { maxWaitDurationInHalfOpenState = v; return this; }
        public Builder slidingWindowType(SlidingWindowType v) { slidingWindowType = v; return this; }
        public Builder slidingWindowSize(int v) { slidingWindowSize = v; return this; }
        public Builder minimumNumberOfCalls(int v) { minimumNumberOfCalls = v; return this; }
        public Builder waitDurationInOpenState(Duration v) { waitDurationInOpenState = v; return this; }
        public Builder openWaitMultiplier(double v) { openWaitMultiplier = v; return this; }
        public Builder maxWaitDurationInOpenState(Duration v) { maxWaitDurationInOpenState = v; return this; }

        public CircuitBreakerConfig build() {
            return new CircuitBreakerConfig(enabled, failureRateThreshold, slowCallRateThreshold,
                    slowCallDurationThreshold, permittedNumberOfCallsInHalfOpenState, maxWaitDurationInHalfOpenState,
                    slidingWindowType, slidingWindowSize, minimumNumberOfCalls, waitDurationInOpenState,
                    openWaitMultiplier, maxWaitDurationInOpenState);
        }
    }
}
