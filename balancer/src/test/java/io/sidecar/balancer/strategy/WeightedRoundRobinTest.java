package io.sidecar.balancer.strategy;

import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.load.EndpointState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.sidecar.balancer.strategy.StrategyFixtures.MS;
import static io.sidecar.balancer.strategy.StrategyFixtures.TUNING;
import static io.sidecar.balancer.strategy.StrategyFixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WeightedRoundRobinTest {

    @Test
    void edfGivesTrafficInProportionToWeightSmoothly() {
        List<EndpointState> eps = List.of(endpoint("a:1", 1), endpoint("b:1", 3));
        WeightedRoundRobin wrr = new WeightedRoundRobin(SlowStart.DISABLED);
        List<String> picks = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            String a = wrr.choose(eps, 0).address();
            counts.merge(a, 1, Integer::sum);
            picks.add(a);
        }
        assertThat(counts).containsEntry("a:1", 100).containsEntry("b:1", 300);
        // deadlines: b at 1/3, 2/3, then a at 1 (tie with b at 1: a was added first)
        assertThat(picks.subList(0, 4)).containsExactly("b:1", "b:1", "a:1", "b:1");
        // smooth: every block of 4 picks holds exactly one a
        for (int i = 0; i < 400; i += 4) {
            assertThat(picks.subList(i, i + 4).stream().filter("a:1"::equals).count()).isEqualTo(1);
        }
    }

    @Test
    void slowStartFollowsEnvoysFormula() {
        long window = 10_000 * MS;
        EndpointState fresh = new EndpointState(Endpoint.of("n:1", 4), 0, true, TUNING);
        SlowStart linear = new SlowStart(window, 1.0, 0.1);
        // t = 2.5 s of 10 s: factor 0.25 → weight 1.0
        assertThat(linear.factor(fresh, 2_500 * MS)).isCloseTo(0.25, within(1e-12));
        assertThat(new WeightedRoundRobin(linear).effectiveWeight(fresh, 2_500 * MS)).isCloseTo(1.0, within(1e-12));
        // aggression 2: 0.25^(1/2) = 0.5
        assertThat(new SlowStart(window, 2.0, 0.1).factor(fresh, 2_500 * MS)).isCloseTo(0.5, within(1e-12));
        // early: 0.5 s → 0.05 is below min weight 10 % → 0.1
        assertThat(linear.factor(fresh, 500 * MS)).isCloseTo(0.1, within(1e-12));
        // at age 0 the time factor uses max(age, 1 ms)
        assertThat(new SlowStart(window, 1.0, 0.0).factor(fresh, 0)).isCloseTo(1e-4, within(1e-15));
        // after the window: full weight
        assertThat(linear.factor(fresh, window)).isEqualTo(1.0);
        // endpoints present at cluster creation are not in slow start
        EndpointState initial = new EndpointState(Endpoint.of("i:1", 4), 0, false, TUNING);
        assertThat(linear.factor(initial, 100 * MS)).isEqualTo(1.0);
    }

    @Test
    void aNewEndpointRampsUpDuringSlowStart() {
        EndpointState old = endpoint("old:1");
        EndpointState fresh = new EndpointState(Endpoint.of("new:1"), 0, true, TUNING);
        WeightedRoundRobin wrr = new WeightedRoundRobin(new SlowStart(10_000 * MS, 1.0, 0.1));
        int early = 0;
        for (int i = 0; i < 1000; i++) {
            if (wrr.choose(List.of(old, fresh), 1_000 * MS).address().equals("new:1")) {
                early++;
            }
        }
        int late = 0;
        for (int i = 0; i < 1000; i++) {
            if (wrr.choose(List.of(old, fresh), 20_000 * MS).address().equals("new:1")) {
                late++;
            }
        }
        // factor 0.1 at 1 s: share 0.1 / 1.1 ≈ 9 %; after the window 50 %
        assertThat(early).isBetween(80, 100);
        assertThat(late).isBetween(480, 520);
    }
}
