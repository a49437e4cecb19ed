package io.sidecar.predictor.config;

import io.sidecar.predictor.anomaly.AnomalyConfig;
import io.sidecar.predictor.forecast.ForecasterConfig;
import io.sidecar.predictor.scaling.ScalingConfig;

/**
 * The {@code predictor:} section of the YAML, mapped by the config module onto these records:
 * <pre>
 * predictor:
 *   peers: { redis: redis://127.0.0.1:6379, publish_every: 1s }    -> {@link PeersConfig}
 *   scaling: { target_utilization: 0.7, min_replicas: 2, max_replicas: 20, cooldown: 5m }  -> {@link ScalingConfig}
 *   anomaly: { alert_threshold: 0.9 }                               -> {@link AnomalyConfig}
 * </pre>
 * Each record validates itself and names the offending field ({@code predictor.scaling.max_replicas ...}).
 */
public record PredictorConfig(String service, String instance, PeersConfig peers, ScalingConfig scaling,
                              AnomalyConfig anomaly, ForecasterConfig forecaster) {
    public PredictorConfig {
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("service must be set (the peer group name)");
        }
        if (instance == null || instance.isBlank()) {
            throw new IllegalArgumentException("instance must be set (this instance's id among its peers)");
        }
        peers = peers == null ? PeersConfig.LOCAL_ONLY : peers;
        scaling = scaling == null ? ScalingConfig.DEFAULTS : scaling;
        anomaly = anomaly == null ? AnomalyConfig.DEFAULTS : anomaly;
        forecaster = forecaster == null ? ForecasterConfig.DEFAULTS : forecaster;
    }

    public static PredictorConfig defaults(String service, String instance) {
        return new PredictorConfig(service, instance, null, null, null, null);
    }
}
