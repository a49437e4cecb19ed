package io.sidecar.fault;

import java.util.List;

/**
 * Where changes are recorded. {@link InMemoryAuditLog} until the PostgreSQL store exists; a sink that
 * writes to PostgreSQL implements this too (record must not block: queue and write asynchronously).
 */
public interface AuditLog {
  void record(AuditEvent event);

  /** Most recent first, at most {@code limit}. */
  List<AuditEvent> recent(int limit);
}
