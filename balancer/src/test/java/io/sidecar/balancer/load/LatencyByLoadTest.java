package io.sidecar.balancer.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyByLoadTest {

    private static final long MS = 1_000_000L;

    @Test
    void bucketsAreLog2OfTheLevel() {
        assertThat(LatencyByLoad.bucketOf(1)).isEqualTo(0);
        assertThat(LatencyByLoad.bucketOf(2)).isEqualTo(1);
        assertThat(LatencyByLoad.bucketOf(3)).isEqualTo(2);
        assertThat(LatencyByLoad.bucketOf(4)).isEqualTo(2);
        assertThat(LatencyByLoad.bucketOf(5)).isEqualTo(3);
        assertThat(LatencyByLoad.bucketOf(8)).isEqualTo(3);
        assertThat(LatencyByLoad.bucketOf(9)).isEqualTo(4);
    }

    @Test
    void noDataIsNaN() {
        assertThat(new LatencyByLoad(2_000 * MS).predict(0, 1)).isNaN();
    }

    @Test
    void interpolatesBetweenObservedLevelsAndExtrapolatesProportionallyAbove() {
        LatencyByLoad m = new LatencyByLoad(2_000 * MS);
        m.record(0, 1, 10 * MS);
        m.record(0, 1, 30 * MS);   // level 1: mean 20 ms
        m.record(0, 5, 60 * MS);   // level 5: mean 60 ms
        assertThat(m.predict(0, 1) / MS).isCloseTo(20, within(1e-9));
        // level 3 between level 1 (20 ms) and level 5 (60 ms): 20 + (3-1)/(5-1)·40 = 40 ms
        assertThat(m.predict(0, 3) / MS).isCloseTo(40, within(1e-9));
        // level 10 above everything: 60 · 10 / 5 = 120 ms
        assertThat(m.predict(0, 10) / MS).isCloseTo(120, within(1e-9));
        assertThat(m.samples()).isEqualTo(3);
    }

    @Test
    void oldSamplesLoseWeightAgainstNewOnes() {
        LatencyByLoad m = new LatencyByLoad(1_000 * MS);
        m.record(0, 1, 1000 * MS);
        // 3 tau later the old sample weighs e^-3; mean = (1000·e^-3 + 20) / (e^-3 + 1)
        m.record(3_000 * MS, 1, 20 * MS);
        double w = Math.exp(-3);
        assertThat(m.predict(3_000 * MS, 1) / MS).isCloseTo((1000 * w + 20) / (w + 1), within(1e-6));
    }

    @Test
    void onlyHigherLevelsKnownGivesTheirValue() {
        LatencyByLoad m = new LatencyByLoad(1_000 * MS);
        m.record(0, 4, 50 * MS);
        assertThat(m.predict(0, 1) / MS).isCloseTo(50, within(1e-9));
    }
}
