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
