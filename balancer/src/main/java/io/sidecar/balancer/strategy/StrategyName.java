package io.sidecar.balancer.strategy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The strategy names users write in YAML and the control API. */
public enum StrategyName {
    ROUND_ROBIN("round_robin"),
    WEIGHTED_ROUND_ROBIN("weighted_round_robin"),
    LEAST_REQUEST("least_request"),
    P2C_PEAK_EWMA("p2c_peak_ewma"),
    PREDICTIVE("predictive");

    public static final StrategyName DEFAULT = PREDICTIVE;

    private final String id;

    StrategyName(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** All valid names, comma separated, for error messages. */
    public static String validNames() {
        return Arrays.stream(values()).map(StrategyName::id).collect(Collectors.joining(", "));
    }

    /** Parses a name; unknown → IllegalArgumentException naming the valid ones. */
    public static StrategyName parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (StrategyName s : values()) {
                if (s.id.equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown balancer '" + name + "', valid: " + validNames());
    }

    @Override
    public String toString() {
        return id;
    }
}
