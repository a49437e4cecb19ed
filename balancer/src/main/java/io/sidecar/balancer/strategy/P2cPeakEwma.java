package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Power of two choices on peak-EWMA load, as Finagle's {@code P2CPeakEwma} and Linkerd (tower
 * {@code p2c::Balance} over {@code load::PeakEwma}):
 *
 * <pre>
 *   pick two distinct endpoints uniformly at random (tower: sample_floyd2)
 *   cost = peakEWMA(rtt) · (pending + 1)       (PeakEwma decayed to now; new endpoints start at default_rtt)
 *   choose the lower cost; a tie goes to the first sample (tower: if a_load &lt;= b_load { a } else { b })
 * </pre>
 *
 * Note what the formula implies: a failed response also counts as an RTT sample, so an endpoint that fails fast
 * looks cheap and attracts more traffic.
 */
public final class P2cPeakEwma implements LoadBalancingStrategy {

    private final RandomGenerator random;

    public P2cPeakEwma(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public StrategyName name() {
        return StrategyName.P2C_PEAK_EWMA;
    }

    /** cost = peakEWMA(rtt) · (pending + 1), nanos. */
    public static double cost(EndpointState s, long nowNanos) {
        return s.peakEwma().estimate(nowNanos) * (s.pending() + 1);
    }

    @Override
    public EndpointState choose(List<EndpointState> candidates, long nowNanos) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        EndpointState first = candidates.get(a);
        EndpointState second = candidates.get(b);
        return cost(first, nowNanos) <= cost(second, nowNanos) ? first : second;
    }
}
