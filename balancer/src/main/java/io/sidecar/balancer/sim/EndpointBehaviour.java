package io.sidecar.balancer.sim;

/**
 * How a simulated upstream behaves over time: its median service time and the probability that a request fails
 * (and then how fast), as functions of virtual time.
 */
public interface EndpointBehaviour {

    /** Median service time (nanos) of a request starting service at {@code nowNanos}. */
    double medianServiceNanos(long nowNanos);

    /** Probability that a request starting service now answers 503. */
    default double failureProbability(long nowNanos) {
        return 0.0;
    }

    /** Median service time of a failing request (fails fast). */
    default double medianFailureNanos(long nowNanos) {
        return 2_000_000;
    }

    static EndpointBehaviour constant(double medianMillis) {
        return now -> medianMillis * 1e6;
    }
}
