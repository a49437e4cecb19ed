package io.sidecar.balancer;

import java.time.Duration;

/** The value checks the balancer's config records share; each failure names the field. */
public final class ConfigRequire {
    private ConfigRequire() {}

    public static void positive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, was " + d);
        }
    }

    public static void atLeastOne(String field, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, was " + v);
        }
    }

    public static void percent(String field, int v) {
        if (v < 0 || v > 100) {
            throw new IllegalArgumentException(field + " must be 0..100, was " + v);
        }
    }

    /** A rate threshold in percent: (0, 100]. */
    public static void rate(String field, float v) {
        if (!(v > 0 && v <= 100)) {
            throw new IllegalArgumentException(field + " must be in (0, 100], was " + v);
        }
    }
}
