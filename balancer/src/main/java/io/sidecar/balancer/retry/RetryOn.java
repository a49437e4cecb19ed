package io.sidecar.balancer.retry;

import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.Outcome;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Retry conditions with Envoy's names and meanings ({@code x-envoy-retry-on}, docs "Router filter"):
 * <ul>
 *   <li>{@code 5xx}: any 5xx, or no response at all (connect failure, reset, timeout, refused stream);</li>
 *   <li>{@code gateway-error}: 502, 503, 504 (and a per-try timeout, which Envoy answers as 504);</li>
 *   <li>{@code reset}: no response: disconnect, reset, read timeout;</li>
 *   <li>{@code connect-failure}: the connection could not be made;</li>
 *   <li>{@code refused-stream}: HTTP/2 REFUSED_STREAM;</li>
 *   <li>{@code retriable-status-codes}: one of the configured status codes.</li>
 * </ul>
 */
public enum RetryOn {
    FIVE_XX("5xx"),
    GATEWAY_ERROR("gateway-error"),
    RESET("reset"),
    CONNECT_FAILURE("connect-failure"),
    REFUSED_STREAM("refused-stream"),
    RETRIABLE_STATUS_CODES("retriable-status-codes");

    private final String id;

    RetryOn(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static RetryOn parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (RetryOn r : values()) {
                if (r.id.equals(n)) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("unknown retry condition '" + name + "', valid: "
                + Arrays.stream(values()).map(RetryOn::id).collect(Collectors.joining(", ")));
    }

    /** Whether this condition matches the outcome. */
    public boolean matches(Outcome outcome, Set<Integer> retriableStatusCodes) {
        FailureKind f = outcome.failure();
        if (f == FailureKind.CANCELLED) {
            return false;
        }
        return switch (this) {
            case FIVE_XX -> f != null || outcome.status() >= 500;
            case GATEWAY_ERROR -> f == FailureKind.TIMEOUT
                    || (f == null && (outcome.status() == 502 || outcome.status() == 503 || outcome.status() == 504));
            case RESET -> f == FailureKind.RESET || f == FailureKind.TIMEOUT;
            case CONNECT_FAILURE -> f == FailureKind.CONNECT_FAILURE;
            case REFUSED_STREAM -> f == FailureKind.REFUSED_STREAM;
            case RETRIABLE_STATUS_CODES -> f == null && retriableStatusCodes.contains(outcome.status());
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
