package io.sidecar.balancer;

/** Why a try produced no HTTP response. Each maps to a response flag the proxy reports. */
public enum FailureKind {
    /** TCP/TLS connect failed or timed out (Envoy flag UF). */
    CONNECT_FAILURE("UF"),
    /** Connection reset or closed before a full response (Envoy flag UC). */
    RESET("UC"),
    /** The per-try or route timeout fired before the response (Envoy flag UT). */
    TIMEOUT("UT"),
    /** HTTP/2 REFUSED_STREAM: the upstream did not process the request. */
    REFUSED_STREAM("UR"),
    /**
     * The proxy abandoned the try itself (hedge loser, downstream went away). Counts nothing against the
     * endpoint: it only releases in-flight counters and breaker permissions.
     */
    CANCELLED("DC");

    private final String flag;

    FailureKind(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }
}
