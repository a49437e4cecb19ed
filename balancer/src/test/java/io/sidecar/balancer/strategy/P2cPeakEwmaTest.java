package io.sidecar.balancer.strategy;

import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.ScriptedRandom;
import io.sidecar.balancer.load.EndpointState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sidecar.balancer.strategy.StrategyFixtures.MS;
import static io.sidecar.balancer.strategy.StrategyFixtures.endpoint;
import static io.sidecar.balancer.strategy.StrategyFixtures.observe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class P2cPeakEwmaTest {

    @Test
    void costIsPeakEwmaTimesPendingPlusOne() {
        EndpointState s = endpoint("a:1");
        // no observation: default rtt 30 ms, nothing pending
        assertThat(P2cPeakEwma.cost(s, 0) / MS).isCloseTo(30, within(1e-9));
        s.onStart(0);
        s.onStart(0);
        assertThat(P2cPeakEwma.cost(s, 0) / MS).isCloseTo(90, within(1e-9));
    }

    @Test
    void choosesTheCheaperOfTwoDistinctSamples() {
        EndpointState fast = endpoint("fast:1");
        EndpointState slow = endpoint("slow:1");
        EndpointState other = endpoint("other:1");
        observe(fast, 0, 1, 5, Outcome.OK);     // peak-EWMA 30 → decays towards 5 (w = 1 at dt = 0: stays 30)
        observe(slow, 0, 1, 100, Outcome.OK);   // peak: 100
        // script: a = 1 (slow), b = 0 → index 0 (fast)
        P2cPeakEwma p2c = new P2cPeakEwma(new ScriptedRandom(1, 0));
        assertThat(p2c.choose(List.of(fast, slow, other), 0)).isSameAs(fast);
        // a = 0, b = 0 → b shifted to 1: fast vs slow
        p2c = new P2cPeakEwma(new ScriptedRandom(0, 0));
        assertThat(p2c.choose(List.of(fast, slow, other), 0)).isSameAs(fast);
    }

    @Test
    void aFastFailingEndpointLooksCheap() {
        EndpointState failing = endpoint("failing:1");
        EndpointState healthy = endpoint("healthy:1");
        long t = 20_000 * MS;
        observe(failing, t, 20, 1, Outcome.status(503));
        observe(healthy, t, 20, 20, Outcome.OK);
        P2cPeakEwma p2c = new P2cPeakEwma(new ScriptedRandom(1, 0));
        assertThat(p2c.choose(List.of(failing, healthy), t + 1)).isSameAs(failing);
    }

    @Test
    void tieGoesToTheFirstSample() {
        EndpointState a = endpoint("a:1");
        EndpointState b = endpoint("b:1");
        assertThat(new P2cPeakEwma(new ScriptedRandom(1, 0)).choose(List.of(a, b), 0)).isSameAs(b);
        assertThat(new P2cPeakEwma(new ScriptedRandom(0, 0)).choose(List.of(a, b), 0)).isSameAs(a);
    }
}
