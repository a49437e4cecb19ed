package io.sidecar.balancer.health;

import java.util.Objects;

/**
 * What one health-check probe found: an HTTP status, or no answer in time / no connection. Envoy calls the last two
 * network failures: they count towards {@code unhealthyThreshold}.
 */
public record ProbeResult(Kind kind, int status, String detail) {

    public enum Kind { RESPONSE, TIMEOUT, NETWORK_FAILURE }

    public ProbeResult {
        Objects.requireNonNull(kind, "kind");
    }

    public static ProbeResult status(int status) {
        return new ProbeResult(Kind.RESPONSE, status, null);
    }

    public static ProbeResult timeout() {
        return new ProbeResult(Kind.TIMEOUT, 0, null);
    }

    /** Connection refused, reset, TLS failure...: {@code detail} says which. */
    public static ProbeResult networkFailure(String detail) {
        return new ProbeResult(Kind.NETWORK_FAILURE, 0, detail);
    }

    public boolean isNetworkFailure() {
        return kind != Kind.RESPONSE;
    }

    /** Short form for explanations: {@code 503}, {@code timeout}, {@code connect failure (Connection refused)}. */
    public String describe() {
        return switch (kind) {
            case RESPONSE -> Integer.toString(status);
            case TIMEOUT -> "timeout";
            case NETWORK_FAILURE -> detail == null || detail.isBlank() ? "connection failure"
                    : "connection failure (" + detail + ")";
        };
    }
}
