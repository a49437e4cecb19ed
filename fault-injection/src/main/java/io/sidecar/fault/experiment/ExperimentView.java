package io.sidecar.fault.experiment;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one experiment for {@code GET /experiments}.
 *
 * @param endReason why it ended ({@code duration elapsed}, {@code halted: ...}, {@code stopped by X},
 *     {@code stop-all by X}), or null while scheduled / running
 * @param seen in-scope requests seen so far; {@code affected} of them got a fault
 */
public record ExperimentView(
    String id,
    String name,
    ExperimentState state,
    String createdBy,
    Instant startAt,
    Instant endsAt,
    Instant endedAt,
    String endReason,
    List<String> faultIds,
    double blastRadiusPercent,
    long seen,
    long affected,
    ExperimentSpec spec) {}
