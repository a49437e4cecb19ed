package io.sidecar.balancer;

/**
 * A load report about one endpoint that arrives from outside the request path (issue #6): every upstream instance's
 * own sidecar publishes a snapshot about once a second (over Redis), so the balancer knows an endpoint is loaded
 * before sending it anything, also when it has not talked to it recently.
 *
 * @param inFlight        requests in flight on the serving side (all clients, queued included)
 * @param p50Ms           its median latency in milliseconds over the last 10 s (NaN: not reported)
 * @param p99Ms           its 99th percentile latency in milliseconds over the last 10 s (NaN: not reported)
 * @param errorRate       fraction of failed requests over the last 10 s, 0..1 (NaN: not reported)
 * @param cpu             its CPU utilisation, 0..1 (NaN: not reported; shown only, the model does not use it)
 * @param observedAtNanos when the snapshot was taken, on the balancer's clock (the caller converts wall-clock
 *                        timestamps); a time in the future is treated as now
 */
public record PeerLoad(long inFlight, double p50Ms, double p99Ms, double errorRate, double cpu,
                       long observedAtNanos) {

    public PeerLoad {
        if (inFlight < 0) {
            throw new IllegalArgumentException("peerLoad.inFlight must be >= 0, was " + inFlight);
        }
        nonNegativeOrUnknown("peerLoad.p50Ms", p50Ms);
        nonNegativeOrUnknown("peerLoad.p99Ms", p99Ms);
        fractionOrUnknown("peerLoad.errorRate", errorRate);
        fractionOrUnknown("peerLoad.cpu", cpu);
    }

    private static void nonNegativeOrUnknown(String field, double v) {
        if (!Double.isNaN(v) && !(v >= 0 && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0 or NaN (unknown), was " + v);
        }
    }

    private static void fractionOrUnknown(String field, double v) {
        if (!Double.isNaN(v) && !(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1] or NaN (unknown), was " + v);
        }
    }

    public boolean hasP50() {
        return !Double.isNaN(p50Ms);
    }

    public boolean hasErrorRate() {
        return !Double.isNaN(errorRate);
    }
}
