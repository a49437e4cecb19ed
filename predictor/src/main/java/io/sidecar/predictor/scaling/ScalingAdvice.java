package io.sidecar.predictor.scaling;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The advice and every number behind it ({@code GET /scaling}).
 *
 * @param raw ceil(forecastPeak / (capacity * targetUtilization)) before clamping, hysteresis and cooldown
 * @param recommended what to run now
 */
public record ScalingAdvice(Instant at, int recommended, int raw, int previous, double forecastPeak,
                            double capacityPerInstance, String capacityMethod, double targetUtilization,
                            UslModel usl, String reason) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", at.toString());
        m.put("recommended_replicas", recommended);
        m.put("raw_replicas", raw);
        m.put("previous_replicas", previous);
        m.put("forecast_peak_rps", finite(forecastPeak));
        m.put("capacity_per_instance_rps", finite(capacityPerInstance));
        m.put("capacity_method", capacityMethod);
        m.put("target_utilization", targetUtilization);
        if (usl != null) {
            m.put("usl", Map.of("lambda", usl.lambda(), "sigma", usl.sigma(), "kappa", usl.kappa()));
        }
        m.put("reason", reason);
        return m;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
