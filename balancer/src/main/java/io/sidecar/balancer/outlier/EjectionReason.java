package io.sidecar.balancer.outlier;

/** Which Envoy detector ejected an endpoint. */
public enum EjectionReason {
    CONSECUTIVE_5XX("consecutive_5xx"),
    CONSECUTIVE_GATEWAY_FAILURE("consecutive_gateway_failure"),
    SUCCESS_RATE("success_rate"),
    FAILURE_PERCENTAGE("failure_percentage");

    private final String id;

    EjectionReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
