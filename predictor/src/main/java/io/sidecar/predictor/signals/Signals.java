package io.sidecar.predictor.signals;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The registry of per-route, per-cluster and per-endpoint {@link TrafficSignals}.
 *
 * <pre>
 *   Signals signals = new Signals(Clock.systemUTC());
 *   TrafficSignals route = signals.route("catalog-api");      // once, when the route is built
 *   route.begin(); ... route.record(nanos, 200, null, bytes); // per request
 *   vertx.setPeriodic(1000, id -> signals.tick());            // once a second
 *   signals.onMinute(rollup -> ...);                           // forecasting, anomalies, history
 * </pre>
 * Handles survive config reloads (same name, same handle). Thread-safe.
 */
public final class Signals {
    public static final String ROUTE = "route";
    public static final String CLUSTER = "cluster";
    public static final String ENDPOINT = "endpoint";

    private final Clock clock;
    private final ConcurrentHashMap<String, TrafficSignals> routes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TrafficSignals> clusters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TrafficSignals> endpoints = new ConcurrentHashMap<>();
    private final List<Consumer<MinuteRollup>> minuteListeners = new CopyOnWriteArrayList<>();

    public Signals(Clock clock) {
        this.clock = clock;
    }

    public TrafficSignals route(String name) {
        return routes.computeIfAbsent(name, n -> new TrafficSignals(ROUTE, n));
    }

    public TrafficSignals cluster(String name) {
        return clusters.computeIfAbsent(name, n -> new TrafficSignals(CLUSTER, n));
    }

    /** An endpoint of a cluster, named "cluster/address". */
    public TrafficSignals endpoint(String cluster, String address) {
        return endpoints.computeIfAbsent(cluster + "/" + address, n -> new TrafficSignals(ENDPOINT, n));
    }

    /** The route handles registered so far. */
    public java.util.Collection<TrafficSignals> routes() {
        return java.util.Collections.unmodifiableCollection(routes.values());
    }

    /** Drops the signals of routes, clusters or endpoints no longer configured. */
    public void retain(java.util.Set<String> routeNames, java.util.Set<String> clusterNames,
                       java.util.Set<String> endpointNames) {
        routes.keySet().retainAll(routeNames);
        clusters.keySet().retainAll(clusterNames);
        endpoints.keySet().retainAll(endpointNames);
    }

    /** Receives every minute roll-up (called on the ticking thread; keep it short). */
    public void onMinute(Consumer<MinuteRollup> listener) {
        minuteListeners.add(listener);
    }

    /**
     * Advances all windows by one second; call once a second from one timer.
     *
     * @return the number of minute roll-ups this tick produced (0 except on every 60th tick)
     */
    public int tick() {
        int produced = 0;
        java.time.Instant now = clock.instant();
        for (ConcurrentHashMap<String, TrafficSignals> map : List.of(routes, clusters, endpoints)) {
            for (TrafficSignals t : map.values()) {
                MinuteRollup r = t.tick(now);
                if (r != null) {
                    produced++;
                    for (Consumer<MinuteRollup> l : minuteListeners) {
                        l.accept(r);
                    }
                }
            }
        }
        return produced;
    }

    public SignalsSnapshot snapshot() {
        return new SignalsSnapshot(clock.instant(), snapshots(routes), snapshots(clusters), snapshots(endpoints),
                ProcessSignals.read());
    }

    private static List<TrafficSnapshot> snapshots(ConcurrentHashMap<String, TrafficSignals> map) {
        List<TrafficSnapshot> out = new ArrayList<>();
        for (TrafficSignals t : map.values()) {
            out.add(t.snapshot());
        }
        out.sort(Comparator.comparing(TrafficSnapshot::name));
        return out;
    }
}
