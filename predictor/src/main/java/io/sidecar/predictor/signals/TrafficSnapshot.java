package io.sidecar.predictor.signals;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything known about one route, cluster or endpoint at the last tick.
 *
 * @param statusClasses cumulative responses per class since start: "2xx".."5xx", and "none" (no response)
 * @param flags cumulative counts per response flag since start
 * @param cacheHitRatio hits / (hits + misses) over the last minute, NaN without cache lookups
 */
public record TrafficSnapshot(String kind, String name, long inFlight, WindowStats last1s, WindowStats last10s,
                              WindowStats last1m, Map<String, Long> statusClasses, Map<String, Long> flags,
                              double cacheHitRatio, long totalRequests) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("name", name);
        m.put("in_flight", inFlight);
        m.put("total_requests", totalRequests);
        m.put("1s", last1s.toMap());
        m.put("10s", last10s.toMap());
        m.put("1m", last1m.toMap());
        m.put("status_classes", statusClasses);
        m.put("flags", flags);
        m.put("cache_hit_ratio", WindowStats.round(cacheHitRatio));
        return m;
    }
}
