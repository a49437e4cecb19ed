package io.sidecar.balancer.load;

/** A count whose past increments fade with weight {@code exp(-age / tau)}; used for the recent traffic share. */
public final class DecayingCounter {

    private final double tauNanos;
    private double value;
    private long stampNanos;

    public DecayingCounter(long tauNanos, long nowNanos) {
        if (tauNanos <= 0) {
            throw new IllegalArgumentException("tau must be > 0");
        }
        this.tauNanos = tauNanos;
        this.stampNanos = nowNanos;
    }

    public void add(long nowNanos, double amount) {
        value = value(nowNanos) + amount;
    }

    public double value(long nowNanos) {
        if (nowNanos > stampNanos) {
            value *= Math.exp(-(nowNanos - stampNanos) / tauNanos);
            stampNanos = nowNanos;
        }
        return value;
    }
}
