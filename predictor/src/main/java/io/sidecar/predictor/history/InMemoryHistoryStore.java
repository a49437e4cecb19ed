package io.sidecar.predictor.history;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.forecast.ModelVersion;
import io.sidecar.predictor.scaling.ScalingAdvice;
import io.sidecar.predictor.signals.MinuteRollup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * History kept in bounded in-process deques (the default when no {@code storage.postgres} is configured): each
 * kind of row keeps at most {@code capacity} entries and nothing older than {@code retention}.
 */
public final class InMemoryHistoryStore implements HistoryStore {
    public static final int DEFAULT_CAPACITY = 100_000;

    /** A model version with the metric it belongs to. */
    public record StoredModelVersion(String metric, ModelVersion version) {
    }

    private final int capacity;
    private final Duration retention;
    private final Clock clock;
    private final ArrayDeque<MinuteRollup> rollups = new ArrayDeque<>();
    private final ArrayDeque<Alert> alerts = new ArrayDeque<>();
    private final ArrayDeque<ScalingAdvice> advice = new ArrayDeque<>();
    private final ArrayDeque<StoredModelVersion> models = new ArrayDeque<>();
    private final ArrayDeque<AuditEntry> audit = new ArrayDeque<>();
    private long dropped;

    public InMemoryHistoryStore(int capacity, Duration retention, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
        this.retention = retention;
        this.clock = clock;
    }

    public InMemoryHistoryStore() {
        this(DEFAULT_CAPACITY, Duration.ofDays(7), Clock.systemUTC());
    }

    private synchronized <T> void add(ArrayDeque<T> deque, T row, Function<T, Instant> time) {
        deque.addLast(row);
        if (deque.size() > capacity) {
            deque.removeFirst();
            dropped++;
        }
        Instant cutoff = clock.instant().minus(retention);
        while (!deque.isEmpty() && time.apply(deque.peekFirst()).isBefore(cutoff)) {
            deque.removeFirst();
        }
    }

    @Override
    public void appendRollup(MinuteRollup rollup) {
        add(rollups, rollup, MinuteRollup::minute);
    }

    @Override
    public void appendAlert(Alert alert) {
        add(alerts, alert, Alert::at);
    }

    @Override
    public void appendAdvice(ScalingAdvice a) {
        add(advice, a, ScalingAdvice::at);
    }

    @Override
    public void appendModelVersion(String metric, ModelVersion version) {
        add(models, new StoredModelVersion(metric, version), m -> m.version().createdAt());
    }

    @Override
    public void appendAudit(AuditEntry entry) {
        add(audit, entry, AuditEntry::at);
    }

    @Override
    public synchronized CompletionStage<List<MinuteRollup>> rollups(String kind, String name, Instant from,
                                                                    Instant to) {
        List<MinuteRollup> out = new ArrayList<>();
        for (MinuteRollup r : rollups) {
            if (r.kind().equals(kind) && r.name().equals(name) && !r.minute().isBefore(from)
                    && r.minute().isBefore(to)) {
                out.add(r);
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletionStage<List<Alert>> recentAlerts(int limit) {
        return CompletableFuture.completedFuture(newest(alerts, limit));
    }

    @Override
    public synchronized CompletionStage<List<AuditEntry>> recentAudit(int limit) {
        return CompletableFuture.completedFuture(newest(audit, limit));
    }

    public synchronized List<ScalingAdvice> recentAdvice(int limit) {
        return newest(advice, limit);
    }

    public synchronized List<StoredModelVersion> modelVersions() {
        return new ArrayList<>(models);
    }

    private static <T> List<T> newest(ArrayDeque<T> deque, int limit) {
        List<T> out = new ArrayList<>();
        Iterator<T> it = deque.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return out;
    }

    @Override
    public int pending() {
        return 0;
    }

    @Override
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
