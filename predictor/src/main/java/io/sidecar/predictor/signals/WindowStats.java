package io.sidecar.predictor.signals;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Traffic over one rolling window: request rate, error rate and latency percentiles (milliseconds).
 * NaN percentiles when the window saw no request.
 */
public record WindowStats(double seconds, long requests, double ratePerSecond, long errors, double errorRate,
                          double bytesPerSecond, double p50Ms, double p90Ms, double p99Ms, double p999Ms,
                          double maxMs) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("requests", requests);
        m.put("rate", round(ratePerSecond));
        m.put("errors", errors);
        m.put("error_rate", round(errorRate));
        m.put("bytes_per_second", round(bytesPerSecond));
        m.put("p50_ms", round(p50Ms));
        m.put("p90_ms", round(p90Ms));
        m.put("p99_ms", round(p99Ms));
        m.put("p999_ms", round(p999Ms));
        m.put("max_ms", round(maxMs));
        return m;
    }

    static Object round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return null;
        }
        return Math.round(v * 1000) / 1000.0;
    }
}
