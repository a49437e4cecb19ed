package io.sidecar.predictor.history;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.forecast.ModelVersion;
import io.sidecar.predictor.scaling.ScalingAdvice;
import io.sidecar.predictor.signals.MinuteRollup;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * History of roll-ups, alerts, scaling advice, model versions and the control-API audit log.
 *
 * <p>Writes never block and never fail the caller: an implementation buffers them (bounded) and writes in
 * batches; when the buffer is full the oldest buffered rows are dropped and counted ({@link #dropped()}).
 * Reads are asynchronous. Two implementations: {@link InMemoryHistoryStore} (the default) and
 * {@link PostgresHistoryStore}.
 */
public interface HistoryStore extends AutoCloseable {
    void appendRollup(MinuteRollup rollup);

    void appendAlert(Alert alert);

    void appendAdvice(ScalingAdvice advice);

    void appendModelVersion(String metric, ModelVersion version);

    void appendAudit(AuditEntry entry);

    /** Roll-ups of one route / cluster / endpoint with minute in [from, to), oldest first. */
    CompletionStage<List<MinuteRollup>> rollups(String kind, String name, Instant from, Instant to);

    /** The newest alerts first. */
    CompletionStage<List<Alert>> recentAlerts(int limit);

    /** The newest audit entries first. */
    CompletionStage<List<AuditEntry>> recentAudit(int limit);

    /** Rows written so far waiting in the buffer. */
    int pending();

    /** Rows dropped because the buffer was full. */
    long dropped();

    @Override
    void close();
}
