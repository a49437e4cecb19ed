package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.sidecar.balancer.strategy.StrategyFixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinTest {

    @Test
    void cyclesThroughCandidatesIgnoringWeights() {
        List<EndpointState> eps = List.of(endpoint("a:1", 5), endpoint("b:1"), endpoint("c:1"));
        RoundRobin rr = new RoundRobin();
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(rr.choose(eps, 0).address());
        }
        assertThat(picks).containsExactly("a:1", "b:1", "c:1", "a:1", "b:1", "c:1");
    }
}
