package io.sidecar.predictor.signals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything {@code GET /signals} shows: every route, cluster and endpoint, and the process. */
public record SignalsSnapshot(Instant at, List<TrafficSnapshot> routes, List<TrafficSnapshot> clusters,
                             List<TrafficSnapshot> endpoints, ProcessSignals process) {
    /** A tree of maps, lists, strings and numbers: hand it to any JSON encoder. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", at.toString());
        m.put("routes", maps(routes));
        m.put("clusters", maps(clusters));
        m.put("endpoints", maps(endpoints));
        m.put("process", process.toMap());
        return m;
    }

    private static List<Map<String, Object>> maps(List<TrafficSnapshot> list) {
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (TrafficSnapshot t : list) {
            out.add(t.toMap());
        }
        return out;
    }
}
