package io.sidecar.predictor.peers;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The latest snapshots of the instances of the services this sidecar <em>calls</em> (its upstreams), each
 * published by the upstream endpoint's own sidecar. Kept apart from the own-service {@link PeerTable}: one
 * {@code PeerTable} per watched service, with the same rules (newest snapshot per instance wins, silent instances
 * forgotten after {@code forgetAfter}). Fed by {@link RedisPeerExchange#watchServices} or by an
 * {@link HttpPeerPoller} over admin URLs; the balancer matches an endpoint with a snapshot by its {@code addr}.
 *
 * <p>Callbacks run on the thread that delivered the snapshot (the Redis subscriber's or the poller's event loop)
 * and must not block. Thread-safe.
 */
public final class UpstreamPeers {
    private final Map<String, PeerTable> tables = new LinkedHashMap<>();
    private final Consumer<PeerSnapshot> onSnapshot;
    private final Consumer<PeerSnapshot> onForgotten;

    /**
     * @param services the upstream services to keep
     * @param forgetAfter an instance silent this long is forgotten
     * @param onSnapshot called with every snapshot taken (not with stale or duplicate ones)
     * @param onForgotten called with the last snapshot of an instance when it is forgotten
     */
    public UpstreamPeers(Set<String> services, Duration forgetAfter, Clock clock, Consumer<PeerSnapshot> onSnapshot,
                         Consumer<PeerSnapshot> onForgotten) {
        for (String service : services) {
            // no instance id is "self" among an upstream's instances
            tables.put(service, new PeerTable(service, "", forgetAfter, clock));
        }
        this.onSnapshot = onSnapshot == null ? s -> { } : onSnapshot;
        this.onForgotten = onForgotten == null ? s -> { } : onForgotten;
    }

    public Set<String> services() {
        return tables.keySet();
    }

    /** Takes a snapshot of a watched service; @return true when it was new for its instance. */
    public boolean update(PeerSnapshot s) {
        PeerTable table = tables.get(s.service());
        if (table == null || !table.update(s)) {
            return false;
        }
        onSnapshot.accept(s);
        return true;
    }

    /** Live instances of one watched service, sorted by instance id (empty for a service not watched). */
    public List<PeerSnapshot> peers(String service) {
        PeerTable table = tables.get(service);
        if (table == null) {
            return List.of();
        }
        expire(table);
        return table.peers();
    }

    /** Forgets the silent instances of every watched service, calling {@code onForgotten} for each. */
    public void expire() {
        tables.values().forEach(this::expire);
    }

    private void expire(PeerTable table) {
        table.expire().forEach(onForgotten);
    }
}
