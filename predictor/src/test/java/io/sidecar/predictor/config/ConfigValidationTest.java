package io.sidecar.predictor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.predictor.anomaly.AnomalyConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
    @Test
    void defaultsMatchTheExampleYaml() {
        PredictorConfig c = PredictorConfig.defaults("checkout", "checkout-0");
        assertThat(c.peers().mode()).isEqualTo("local");
        assertThat(c.anomaly().alertThreshold()).isEqualTo(0.9);
        assertThat(c.scaling().targetUtilization()).isEqualTo(0.7);
        PeersConfig redis = PeersConfig.redis(URI.create("redis://127.0.0.1:6379"), Duration.ofSeconds(1));
        assertThat(redis.mode()).isEqualTo("redis");
        assertThat(redis.forgetAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(StorageConfig.IN_MEMORY.postgres()).isNull();
        assertThat(redis.advertise()).isNull();
        assertThat(redis.withAdvertise("10.0.0.7:15001").advertise()).isEqualTo("10.0.0.7:15001");
        assertThat(redis.withAdvertise("catalog-0.catalog.svc:15001").advertise()).isNotNull();
        assertThat(redis.withAdvertise("[fd00::7]:15001").advertise()).isEqualTo("[fd00::7]:15001");
        assertThat(AnomalyConfig.DEFAULTS.driftWindow()).isEqualTo(30);
    }

    @Test
    void badValuesNameTheirPath() {
        assertThatThrownBy(() -> new PeersConfig(URI.create("http://x:6379"), List.of(), Duration.ofSeconds(1),
                Duration.ZERO)).hasMessageStartingWith("predictor.peers.redis");
        assertThatThrownBy(() -> new PeersConfig(null, List.of(URI.create("ftp://x")), Duration.ofSeconds(1),
                Duration.ZERO)).hasMessageStartingWith("predictor.peers.static[0]");
        assertThatThrownBy(() -> new PeersConfig(null, List.of(), Duration.ofMillis(1), Duration.ZERO))
                .hasMessageStartingWith("predictor.peers.publish_every");
        assertThatThrownBy(() -> new PeersConfig(null, List.of(), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageStartingWith("predictor.peers.forget_after");
        assertThatThrownBy(() -> PeersConfig.LOCAL_ONLY.withAdvertise("http://10.0.0.7:15001"))
                .hasMessageStartingWith("predictor.peers.advertise");
        assertThatThrownBy(() -> PeersConfig.LOCAL_ONLY.withAdvertise("10.0.0.7"))
                .hasMessageStartingWith("predictor.peers.advertise");
        assertThatThrownBy(() -> PeersConfig.LOCAL_ONLY.withAdvertise("10.0.0.7:70000"))
                .hasMessageStartingWith("predictor.peers.advertise");
        assertThatThrownBy(() -> AnomalyConfig.DEFAULTS.withDriftWindow(5))
                .hasMessageStartingWith("predictor.anomaly.drift_window");
        assertThatThrownBy(() -> AnomalyConfig.DEFAULTS.withRecurring(3, 2, Duration.ofMinutes(30)))
                .hasMessageStartingWith("predictor.anomaly.recurring_window_days");
        assertThatThrownBy(() -> AnomalyConfig.DEFAULTS.withRecurring(3, 7, Duration.ofHours(12)))
                .hasMessageStartingWith("predictor.anomaly.recurring_jitter");
        assertThatThrownBy(() -> AnomalyConfig.DEFAULTS.withRecurring(3, -2))
                .hasMessageStartingWith("predictor.anomaly.recurring_jitter_steps");
        assertThatThrownBy(() -> new AnomalyConfig(0.9, 1000, 50, 0.5, 10, 10, 30, 3, 6, 7, Duration.ofMinutes(30),
                java.time.ZoneOffset.UTC))
                .hasMessageContaining("give one, not both");
        assertThat(AnomalyConfig.DEFAULTS.withRecurring(10, 6).recurringWindowDays()).isEqualTo(10);
        assertThatThrownBy(() -> AnomalyConfig.DEFAULTS.withRecurringZone(null))
                .hasMessageStartingWith("predictor.anomaly.recurring_zone");
        assertThatThrownBy(() -> AnomalyConfig.DEFAULTS.withAlertThreshold(1.5))
                .hasMessageStartingWith("predictor.anomaly.alert_threshold");
        assertThatThrownBy(() -> new StorageConfig(URI.create("mysql://x/db"), "s", 10, Duration.ofSeconds(1), 100,
                Duration.ofDays(1))).hasMessageStartingWith("storage.postgres");
        assertThatThrownBy(() -> new StorageConfig(null, "Bad-Name", 10, Duration.ofSeconds(1), 100,
                Duration.ofDays(1))).hasMessageStartingWith("storage.schema");
        assertThatThrownBy(() -> new StorageConfig(null, "s", 10, Duration.ofSeconds(1), 5, Duration.ofDays(1)))
                .hasMessageStartingWith("storage.queue_capacity");
        assertThatThrownBy(() -> PredictorConfig.defaults("", "x")).hasMessageStartingWith("service");
    }
}
