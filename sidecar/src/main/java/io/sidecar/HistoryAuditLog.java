package io.sidecar;

import io.sidecar.fault.AuditEvent;
import io.sidecar.fault.AuditLog;
import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.predictor.history.AuditEntry;
import io.sidecar.predictor.history.HistoryStore;
import java.util.List;

/**
 * Fault and experiment changes, kept in memory for the API and written to the history store (PostgreSQL when
 * configured: queued there, never blocking the caller).
 */
final class HistoryAuditLog implements AuditLog {
  private final InMemoryAuditLog recent = new InMemoryAuditLog();
  private final HistoryStore history;

  HistoryAuditLog(HistoryStore history) {
    this.history = history;
  }

  @Override
  public void record(AuditEvent event) {
    recent.record(event);
    history.appendAudit(new AuditEntry(event.at(), event.actor(), event.action(), event.subject(), event.detail()));
  }

  @Override
  public List<AuditEvent> recent(int limit) {
    return recent.recent(limit);
  }
}
