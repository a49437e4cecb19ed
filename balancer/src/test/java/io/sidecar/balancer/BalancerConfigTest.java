package io.sidecar.balancer;

import io.sidecar.balancer.outlier.OutlierDetectionConfig;
import io.sidecar.balancer.strategy.PredictiveConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BalancerConfigTest {

    @Test
    void defaultsMatchTheDocumentedValues() {
        BalancerConfig c = BalancerConfig.DEFAULTS;
        assertThat(c.strategy().id()).isEqualTo("predictive");
        assertThat(c.peakEwma().decay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.peakEwma().defaultRtt()).isEqualTo(Duration.ofMillis(30));
        assertThat(c.outlierDetection().consecutive5xx()).isEqualTo(5);
        assertThat(c.outlierDetection().successRateStdevFactor()).isEqualTo(1.9);
        assertThat(c.outlierDetection().panicThresholdPercent()).isEqualTo(50);
        assertThat(c.retry().backoffBase()).isEqualTo(Duration.ofMillis(25));
        assertThat(c.retry().budgetPercent()).isEqualTo(20.0);
        assertThat(c.retry().minRetryConcurrency()).isEqualTo(3);
        assertThat(c.limits().maxRequests()).isEqualTo(1024);
    }

    @Test
    void unknownStrategyNamesTheValidOnes() {
        assertThatThrownBy(() -> BalancerConfig.builder().strategy("random"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown balancer 'random', valid: round_robin, weighted_round_robin, least_request, "
                        + "p2c_peak_ewma, predictive");
    }

    @Test
    void invalidValuesNameTheirField() {
        assertThatThrownBy(() -> OutlierDetectionConfig.builder().consecutive5xx(0).build())
                .hasMessageContaining("outlierDetection.consecutive5xx");
        assertThatThrownBy(() -> OutlierDetectionConfig.builder().maxEjectionPercent(101).build())
                .hasMessageContaining("outlierDetection.maxEjectionPercent");
        assertThatThrownBy(() -> PredictiveConfig.builder().hotQuantile(0).build())
                .hasMessageContaining("predictive.hotQuantile");
        assertThatThrownBy(() -> new SlowStartConfig(Duration.ofSeconds(1), 0, 10))
                .hasMessageContaining("slowStart.aggression");
        assertThatThrownBy(() -> new LeastRequestConfig(1, 1.0)).hasMessageContaining("leastRequest.choiceCount");
        assertThatThrownBy(() -> new PeakEwmaConfig(Duration.ZERO, Duration.ofMillis(30)))
                .hasMessageContaining("peakEwma.decay");
        assertThatThrownBy(() -> BalancerConfig.builder().trafficShareWindow(Duration.ZERO).build())
                .hasMessageContaining("trafficShareWindow");
        assertThatThrownBy(() -> Endpoint.of("nohost")).hasMessageContaining("address");
        assertThatThrownBy(() -> Endpoint.of("h:70000")).hasMessageContaining("port");
        assertThatThrownBy(() -> Endpoint.of("h:1", 0)).hasMessageContaining("weight");
    }
}
