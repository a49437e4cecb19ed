package io.sidecar.predictor.history;

import java.time.Instant;

/** One control-API change: who (token name or address), what action, on what, and the request body or detail. */
public record AuditEntry(Instant at, String actor, String action, String target, String detail) {
}
