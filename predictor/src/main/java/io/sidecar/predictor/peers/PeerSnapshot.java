package io.sidecar.predictor.peers;

import io.sidecar.predictor.signals.SignalsSnapshot;
import io.sidecar.predictor.signals.TrafficSnapshot;
import io.sidecar.predictor.signals.WindowStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compact snapshot one sidecar publishes about itself (and serves at {@code GET /signals/snapshot}).
 * JSON form, version 1, all fields optional for readers:
 * <pre>
 * {"v":1,"svc":"checkout","id":"checkout-0","addr":"10.0.0.7:15001","at":1767225600000,"seq":42,
 *  "rate":120.5,"rif":3,"p50":12.0,"p99":80.0,"err":0.01,"cpu":0.35,
 *  "routes":{"catalog-api":{"rate":100.0,"rif":2,"p50":11.0,"p99":75.0,"err":0.0}}}
 * </pre>
 * rate: requests/s over the last 10 s; rif: requests in flight; p50/p99: latency ms over the last 10 s; err:
 * error ratio over the last 10 s; cpu: process CPU 0..1. The instance-wide figures cover the serving routes (those of
 * the inbound listener: the load this instance takes, which calling balancers and the service view want) when the
 * publisher knows them, else every route; {@code routes} always lists every route. Instance-wide p50/p99 are the
 * request-weighted means
 * of the routes' percentiles (an approximation: percentiles do not add). addr: the host:port other sidecars reach
 * this instance at ({@code predictor.peers.advertise}); absent when not configured, and readers tolerate that, so a
 * calling sidecar's balancer can match an upstream endpoint with its snapshot.
 */
public record PeerSnapshot(String service, String instance, long atMillis, long seq, double rate, long inFlight,
                           double p50Ms, double p99Ms, double errorRate, double cpu, Map<String, RouteLoad> routes,
                           String addr) {
    public static final int VERSION = 1;

    /** One route's load in a snapshot. */
    public record RouteLoad(double rate, long inFlight, double p50Ms, double p99Ms, double errorRate) {
    }

    public PeerSnapshot {
        routes = routes == null ? Map.of() : Map.copyOf(routes);
        addr = addr == null || addr.isBlank() ? null : addr;
    }

    /** A snapshot without an advertised address. */
    public PeerSnapshot(String service, String instance, long atMillis, long seq, double rate, long inFlight,
                        double p50Ms, double p99Ms, double errorRate, double cpu, Map<String, RouteLoad> routes) {
        this(service, instance, atMillis, seq, rate, inFlight, p50Ms, p99Ms, errorRate, cpu, routes, null);
    }

    /** The same snapshot advertising {@code addr} (host:port, null for none). */
    public PeerSnapshot withAddr(String addr) {
        return new PeerSnapshot(service, instance, atMillis, seq, rate, inFlight, p50Ms, p99Ms, errorRate, cpu, routes,
                addr);
    }

    public static PeerSnapshot of(String service, String instance, long seq, SignalsSnapshot s) {
        return of(service, instance, seq, s, null);
    }

    /**
     * @param serving the routes whose load the instance-wide figures sum (null: every route)
     */
    public static PeerSnapshot of(String service, String instance, long seq, SignalsSnapshot s,
                                  java.util.Set<String> serving) {
        Map<String, RouteLoad> routes = new LinkedHashMap<>();
        double rate = 0;
        long rif = 0;
        double p50w = 0;
        double p99w = 0;
        long weighted = 0;
        long errors = 0;
        long requests = 0;
        for (TrafficSnapshot t : s.routes()) {
            WindowStats w = t.last10s();
            routes.put(t.name(), new RouteLoad(w.ratePerSecond(), t.inFlight(), w.p50Ms(), w.p99Ms(), w.errorRate()));
            if (serving != null && !serving.contains(t.name())) {
                continue;
            }
            rate += w.ratePerSecond();
            rif += t.inFlight();
            requests += w.requests();
            errors += w.errors();
            if (w.requests() > 0 && !Double.isNaN(w.p50Ms())) {
                p50w += w.p50Ms() * w.requests();
                p99w += w.p99Ms() * w.requests();
                weighted += w.requests();
            }
        }
        return new PeerSnapshot(service, instance, s.at().toEpochMilli(), seq, rate, rif,
                weighted == 0 ? Double.NaN : p50w / weighted, weighted == 0 ? Double.NaN : p99w / weighted,
                requests == 0 ? 0 : errors / (double) requests, s.process().cpu(), routes);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("svc", service);
        m.put("id", instance);
        if (addr != null) {
            m.put("addr", addr);
        }
        m.put("at", atMillis);
        m.put("seq", seq);
        put(m, "rate", rate);
        m.put("rif", inFlight);
        put(m, "p50", p50Ms);
        put(m, "p99", p99Ms);
        put(m, "err", errorRate);
        put(m, "cpu", cpu);
        Map<String, Object> r = new LinkedHashMap<>();
        routes.forEach((name, load) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            put(x, "rate", load.rate());
            x.put("rif", load.inFlight());
            put(x, "p50", load.p50Ms());
            put(x, "p99", load.p99Ms());
            put(x, "err", load.errorRate());
            r.put(name, x);
        });
        m.put("routes", r);
        return m;
    }

    private static void put(Map<String, Object> m, String key, double v) {
        if (Double.isFinite(v)) {
            m.put(key, Math.round(v * 1000) / 1000.0);
        }
    }

    /**
     * Reads a snapshot tolerantly: unknown fields are ignored, missing numbers are NaN (or 0 for counters).
     *
     * @throws IllegalArgumentException when the service or instance id is missing
     */
    public static PeerSnapshot fromMap(Map<String, ?> m) {
        Object svc = m.get("svc");
        Object id = m.get("id");
        if (!(svc instanceof String) || !(id instanceof String) || ((String) id).isEmpty()) {
            throw new IllegalArgumentException("peer snapshot without svc/id");
        }
        Map<String, RouteLoad> routes = new LinkedHashMap<>();
        if (m.get("routes") instanceof Map<?, ?> r) {
            r.forEach((k, v) -> {
                if (k instanceof String name && v instanceof Map<?, ?> x) {
                    routes.put(name, new RouteLoad(num(x.get("rate")), (long) zero(num(x.get("rif"))),
                            num(x.get("p50")), num(x.get("p99")), num(x.get("err"))));
                }
            });
        }
        return new PeerSnapshot((String) svc, (String) id, (long) zero(num(m.get("at"))),
                (long) zero(num(m.get("seq"))), num(m.get("rate")), (long) zero(num(m.get("rif"))), num(m.get("p50")),
                num(m.get("p99")), num(m.get("err")), num(m.get("cpu")), routes,
                m.get("addr") instanceof String a ? a : null);
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static double zero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
