package io.sidecar.balancer;

/** Why {@link ClusterBalancer#pick} gave no endpoint. The proxy answers 503 with {@link #flag()}. */
public enum Refusal {
    /** No endpoint left to send to (all excluded by the caller, none configured). Envoy flag UH. */
    NO_HEALTHY_ENDPOINT("UH"),
    /** The cluster breaker (or every endpoint breaker) is open / forced open. */
    BREAKER_OPEN("BO"),
    /** max_requests (or, for a retry/hedge, max_retries) reached. */
    LIMIT_OVERFLOW("LO"),
    /** A retry or hedge refused by the retry budget; the proxy returns the previous try's response. Envoy flag URX. */
    RETRY_OVERFLOW("URX"),
    /** Shed by the adaptive concurrency limit. */
    ADAPTIVE_CONCURRENCY("AC");

    private final String flag;

    Refusal(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    public int status() {
        return 503;
    }
}
