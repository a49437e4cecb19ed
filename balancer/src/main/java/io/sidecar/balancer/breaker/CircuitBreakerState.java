package io.sidecar.balancer.breaker;

/** Resilience4j's circuit breaker states. */
public enum CircuitBreakerState {
    CLOSED(true),
    OPEN(false),
    HALF_OPEN(true),
    /** Always permits, records nothing; left only by an explicit transition. */
    DISABLED(true),
    /** Always refuses; left only by an explicit transition. */
    FORCED_OPEN(false),
    /** Always permits and records metrics, never opens; left only by an explicit transition. */
    METRICS_ONLY(true);

    private final boolean allowsCalls;

    CircuitBreakerState(boolean allowsCalls) {
        this.allowsCalls = allowsCalls;
    }

    public boolean allowsCalls() {
        return allowsCalls;
    }

    /** Parses a state name (case-insensitive, {@code -} or {@code _}); unknown → IllegalArgumentException listing the valid ones. */
    public static CircuitBreakerState parse(String name) {
        if (name != null) {
            String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            for (CircuitBreakerState s : values()) {
                if (s.name().equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown breaker state '" + name
                + "', valid: CLOSED, OPEN, HALF_OPEN, DISABLED, FORCED_OPEN, METRICS_ONLY");
    }
}
