package io.sidecar.predictor.peers;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest snapshot of each peer of one service, as received (Redis or polling). A peer not heard from for
 * {@code forgetAfter} is dropped. Its own instance's snapshots and other services' are ignored; an older
 * sequence number from the same peer does not replace a newer one (a restarted peer starts again at 0, so a
 * lower seq is accepted when the snapshot is newer in time). Thread-safe.
 */
public final class PeerTable {
    private record Entry(PeerSnapshot snapshot, long receivedMillis) {
    }

    private final String service;
    private final String self;
    private final Duration forgetAfter;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> peers = new ConcurrentHashMap<>();

    public PeerTable(String service, String self, Duration forgetAfter, Clock clock) {
        this.service = service;
        this.self = self;
        this.forgetAfter = forgetAfter;
        this.clock = clock;
    }

    /** @return true when the snapshot was taken */
    public boolean update(PeerSnapshot s) {
        if (!service.equals(s.service()) || self.equals(s.instance())) {
            return false;
        }
        long now = clock.millis();
        boolean[] taken = {false};
        peers.compute(s.instance(), (id, old) -> {
            if (old != null && s.seq() <= old.snapshot().seq() && s.atMillis() <= old.snapshot().atMillis()) {
                return old;
            }
            taken[0] = true;
            return new Entry(s, now);
        });
        return taken[0];
    }

    /** Forgets the peers silent for {@code forgetAfter}; returns their last snapshots. */
    public List<PeerSnapshot> expire() {
        long cutoff = clock.millis() - forgetAfter.toMillis();
        List<PeerSnapshot> gone = new ArrayList<>();
        peers.forEach((id, e) -> {
            if (e.receivedMillis() < cutoff && peers.remove(id, e)) {
                gone.add(e.snapshot());
            }
        });
        return gone;
    }

    /** Live peers, sorted by instance id; silent ones are forgotten here. */
    public List<PeerSnapshot> peers() {
        expire();
        List<PeerSnapshot> out = new ArrayList<>();
        for (Entry e : peers.values()) {
            out.add(e.snapshot());
        }
        out.sort(Comparator.comparing(PeerSnapshot::instance));
        return out;
    }

    /** The service-wide view: the live peers plus this instance's own snapshot. */
    public ServiceView view(PeerSnapshot self) {
        List<PeerSnapshot> all = new ArrayList<>(peers());
        if (self != null) {
            all.add(self);
        }
        return ServiceView.of(service, all);
    }

    /** The peers' values of one metric, for peer-comparison anomaly scoring. */
    public double[] peerValues(java.util.function.ToDoubleFunction<PeerSnapshot> metric) {
        return peers().stream().mapToDouble(metric).filter(Double::isFinite).toArray();
    }

    public String service() {
        return service;
    }

    public Duration forgetAfter() {
        return forgetAfter;
    }

    Clock clock() {
        return clock;
    }
}
