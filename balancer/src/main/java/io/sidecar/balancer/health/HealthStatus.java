package io.sidecar.balancer.health;

/** An endpoint's active health-check state. */
public enum HealthStatus {
    /** Not checked yet: not routed to unless the cluster is in panic (Envoy: FAILED_ACTIVE_HC until the first check). */
    PENDING("pending"),
    HEALTHY("healthy"),
    UNHEALTHY("unhealthy");

    private final String id;

    HealthStatus(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
