package io.sidecar.fault;

import java.time.Instant;

/**
 * One change to faults, experiments or TCP toxics.
 *
 * @param actor who (the API token's name, {@code config} for YAML, {@code system} for expiry/halts)
 * @param action e.g. {@code fault.add}, {@code fault.remove}, {@code experiment.start}, {@code experiment.end}, {@code stop-all}
 * @param subject the fault / experiment / proxy id
 * @param detail what, or why it ended
 */
public record AuditEvent(Instant at, String actor, String action, String subject, String detail) {}
