package io.sidecar.balancer.sim;

import io.sidecar.balancer.strategy.StrategyName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorTest {

    private static final long S = 1_000_000_000L;

    @Test
    void sameSeedSameResult() {
        Scenario s = Scenarios.stableHeterogeneous(3 * S);
        ScenarioResult a = Simulator.run(s, StrategyName.PREDICTIVE, 11);
        ScenarioResult b = Simulator.run(s, StrategyName.PREDICTIVE, 11);
        assertThat(a).isEqualTo(b);
        assertThat(a.requests()).isGreaterThan(1000);
    }

    @Test
    void aSlowInstanceGetsLessTrafficFromLatencyAwareStrategies() {
        Scenario s = Scenarios.slowInstance(8 * S);   // endpoint 1 is slow from 2 s to 6 s
        String slow = s.endpoints().get(0).address();
        ScenarioResult rr = Simulator.run(s, StrategyName.ROUND_ROBIN, 5);
        ScenarioResult p2c = Simulator.run(s, StrategyName.P2C_PEAK_EWMA, 5);
        ScenarioResult predictive = Simulator.run(s, StrategyName.PREDICTIVE, 5);
        assertThat(p2c.perEndpoint().get(slow)).isLessThan(rr.perEndpoint().get(slow) / 2);
        assertThat(predictive.perEndpoint().get(slow)).isLessThan(rr.perEndpoint().get(slow) / 2);
        assertThat(predictive.successPercent()).isGreaterThan(rr.successPercent());
    }

    @Test
    void predictiveFailsLessThanPeakEwmaOnAFastFailingEndpoint() {
        Scenario s = Scenarios.flapping(12 * S);
        ScenarioResult p2c = Simulator.run(s, StrategyName.P2C_PEAK_EWMA, 5);
        ScenarioResult predictive = Simulator.run(s, StrategyName.PREDICTIVE, 5);
        assertThat(predictive.failed()).isLessThan(p2c.failed());
    }

    @Test
    void tablePrintsEveryColumn() {
        Scenario s = Scenarios.stableHeterogeneous(1 * S);
        String table = Simulator.table(s, java.util.List.of(Simulator.run(s, StrategyName.ROUND_ROBIN, 1)));
        assertThat(table).contains("p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "success %", "requests per endpoint",
                "round_robin");
    }
}
