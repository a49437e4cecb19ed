package io.sidecar.balancer.strategy;

import io.sidecar.balancer.ScriptedRandom;
import io.sidecar.balancer.load.EndpointState;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.sidecar.balancer.strategy.StrategyFixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LeastRequestTest {

    @Test
    void equalWeightsPowerOfTwoChoicesKeepsFewerActive() {
        EndpointState a = endpoint("a:1");
        EndpointState b = endpoint("b:1");
        EndpointState c = endpoint("c:1");
        a.onStart(0);
        a.onStart(0);
        b.onStart(0);
        LeastRequest lr = new LeastRequest(2, 1.0, SlowStart.DISABLED, new ScriptedRandom(0, 1, 1, 2, 2, 2));
        List<EndpointState> eps = List.of(a, b, c);
        assertThat(lr.choose(eps, 0)).isSameAs(b);   // a(2) vs b(1)
        assertThat(lr.choose(eps, 0)).isSameAs(c);   // b(1) vs c(0)
        assertThat(lr.choose(eps, 0)).isSameAs(c);   // the same host twice (sampling with replacement)
    }

    @Test
    void tieKeepsTheFirstSample() {
        EndpointState a = endpoint("a:1");
        EndpointState b = endpoint("b:1");
        LeastRequest lr = new LeastRequest(2, 1.0, SlowStart.DISABLED, new ScriptedRandom(1, 0));
        assertThat(lr.choose(List.of(a, b), 0)).isSameAs(b);
    }

    @Test
    void unequalWeightsUseWeightOverActivePlusOneToTheBias() {
        EndpointState heavy = endpoint("h:1", 4);
        for (int i = 0; i < 3; i++) {
            heavy.onStart(0);
        }
        LeastRequest bias1 = new LeastRequest(2, 1.0, SlowStart.DISABLED, new ScriptedRandom());
        LeastRequest biasHalf = new LeastRequest(2, 0.5, SlowStart.DISABLED, new ScriptedRandom());
        LeastRequest bias0 = new LeastRequest(2, 0.0, SlowStart.DISABLED, new ScriptedRandom());
        assertThat(bias1.effectiveWeight(heavy, 0)).isCloseTo(1.0, within(1e-12));      // 4 / 4
        assertThat(biasHalf.effectiveWeight(heavy, 0)).isCloseTo(2.0, within(1e-12));   // 4 / sqrt(4)
        assertThat(bias0.effectiveWeight(heavy, 0)).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void unequalWeightsSpreadInProportionWhenIdle() {
        EndpointState a = endpoint("a:1", 1);
        EndpointState b = endpoint("b:1", 2);
        LeastRequest lr = new LeastRequest(2, 1.0, SlowStart.DISABLED, new ScriptedRandom());
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(lr.choose(List.of(a, b), 0).address(), 1, Integer::sum);
        }
        assertThat(counts).containsEntry("a:1", 100).containsEntry("b:1", 200);
    }
}
