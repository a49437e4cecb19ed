package io.sidecar.predictor.peers;

import io.sidecar.predictor.stats.RobustWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service seen across all known instances (this one and its live peers): the sum of their request rates
 * and the spread (min / median / max) of their latencies and error rates. Feeds the service-wide forecast
 * (scaling advice) and peer comparison.
 */
public record ServiceView(String service, int instances, double totalRate, long totalInFlight, Spread p50Ms,
                          Spread p99Ms, Spread errorRate) {
    /** Min, median and max across instances (NaN when none reported the value). */
    public record Spread(double min, double median, double max) {
        static Spread of(double[] values) {
            RobustWindow w = new RobustWindow(Math.max(1, values.length));
            for (double v : values) {
                w.add(v);
            }
            if (w.size() == 0) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN);
            }
            return new Spread(w.quantile(0), w.median(), w.quantile(1));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("min", Double.isFinite(min) ? min : null);
            m.put("median", Double.isFinite(median) ? median : null);
            m.put("max", Double.isFinite(max) ? max : null);
            return m;
        }
    }

    public static ServiceView of(String service, List<PeerSnapshot> all) {
        double rate = 0;
        long rif = 0;
        double[] p50 = new double[all.size()];
        double[] p99 = new double[all.size()];
        double[] err = new double[all.size()];
        for (int i = 0; i < all.size(); i++) {
            PeerSnapshot p = all.get(i);
            rate += Double.isFinite(p.rate()) ? p.rate() : 0;
            rif += p.inFlight();
            p50[i] = p.p50Ms();
            p99[i] = p.p99Ms();
            err[i] = p.errorRate();
        }
        return new ServiceView(service, all.size(), rate, rif, Spread.of(p50), Spread.of(p99), Spread.of(err));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", service);
        m.put("instances", instances);
        m.put("total_rate", totalRate);
        m.put("total_in_flight", totalInFlight);
        m.put("p50_ms", p50Ms.toMap());
        m.put("p99_ms", p99Ms.toMap());
        m.put("error_rate", errorRate.toMap());
        return m;
    }
}
