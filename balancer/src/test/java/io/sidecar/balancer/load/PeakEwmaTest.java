package io.sidecar.balancer.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PeakEwmaTest {

    private static final long MS = 1_000_000L;
    private static final long TAU = 10_000 * MS;

    @Test
    void startsAtTheDefaultRtt() {
        PeakEwma e = new PeakEwma(TAU, 30 * MS, 0);
        assertThat(e.estimate(0)).isEqualTo(30.0 * MS);
    }

    @Test
    void takesAPeakImmediatelyAndDecaysTowardsLowerSamples() {
        PeakEwma e = new PeakEwma(TAU, 30 * MS, 0);
        e.observe(0, 50 * MS);
        assertThat(e.lastValueNanos()).isEqualTo(50.0 * MS);
        // 10 s later (one tau): w = e^-1; 50·w + 10·(1 − w) = 24.7152 ms
        e.observe(10_000 * MS, 10 * MS);
        assertThat(e.lastValueNanos() / MS).isCloseTo(50 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), within(1e-9));
        assertThat(e.lastValueNanos() / MS).isCloseTo(24.7152, within(1e-4));
    }

    @Test
    void anIdleEstimateDecaysTowardsZero() {
        PeakEwma e = new PeakEwma(TAU, 0, 0);
        e.observe(0, 100 * MS);
        // two tau later: 100 · e^-2 = 13.5335 ms, in two steps or one
        assertThat(e.estimate(10_000 * MS) / MS).isCloseTo(100 * Math.exp(-1), within(1e-9));
        assertThat(e.estimate(20_000 * MS) / MS).isCloseTo(13.5335, within(1e-4));
    }
}
