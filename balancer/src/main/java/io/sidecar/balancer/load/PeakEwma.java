package io.sidecar.balancer.load;

/**
 * Peak exponentially weighted moving average of round-trip time, exactly as Finagle's
 * {@code com.twitter.finagle.loadbalancer.PeakEwma} and tower's {@code tower::load::PeakEwma} (used by Linkerd):
 *
 * <pre>
 *   observe(rtt) at time t:
 *     if rtt &gt; cost:  cost = rtt                      (the peak is taken immediately)
 *     else:           w = exp(-(t - stamp) / tau)
 *                     cost = cost * w + rtt * (1 - w)  (decays towards recent values)
 *     stamp = t
 *   estimate(t) = observe(0) at t                      (an idle estimate decays towards 0)
 *   load = estimate * (pending + 1)                    (computed by the strategy)
 * </pre>
 *
 * New endpoints start at a default RTT (Linkerd: 30 ms), tau = 10 s (Linkerd's EWMA decay). Not thread-safe: the
 * owning {@code ClusterBalancer} serialises access.
 */
public final class PeakEwma {

    private final double tauNanos;
    private double costNanos;
    private long stampNanos;

    public PeakEwma(long tauNanos, long initialRttNanos, long nowNanos) {
        if (tauNanos <= 0) {
            throw new IllegalArgumentException("tau must be > 0");
        }
        this.tauNanos = tauNanos;
        this.costNanos = Math.max(0, initialRttNanos);
        this.stampNanos = nowNanos;
    }

    /** Records one observed round-trip time. */
    public void observe(long nowNanos, double rttNanos) {
        if (rttNanos > costNanos) {
            costNanos = rttNanos;
        } else {
            double elapsed = Math.max(nowNanos - stampNanos, 0);
            double w = Math.exp(-elapsed / tauNanos);
            costNanos = costNanos * w + rttNanos * (1.0 - w);
        }
        stampNanos = Math.max(stampNanos, nowNanos);
    }

    /** The current estimate, decayed to {@code nowNanos} (Finagle/tower observe(0) before computing load). */
    public double estimate(long nowNanos) {
        observe(nowNanos, 0.0);
        return costNanos;
    }

    /** The estimate without decaying it (for display). */
    public double lastValueNanos() {
        return costNanos;
    }
}
