package io.sidecar.fault.experiment;

import io.sidecar.fault.spec.FaultSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An experiment as posted to {@code POST /experiments}.
 *
 * @param startAt when to start; null = now (a {@code start_in} is resolved to an instant by the controller)
 * @param startIn delay before start, or null
 * @param duration how long it runs before removing itself
 * @param blastRadiusPercent max share (0..100) of in-scope requests it may affect, enforced per request
 */
public record ExperimentSpec(
    String name,
    List<FaultSpec> faults,
    Instant startAt,
    Duration startIn,
    Duration duration,
    double blastRadiusPercent,
    List<HaltCondition> haltConditions) {

  public ExperimentSpec {
    faults = List.copyOf(faults);
    haltConditions = haltConditions == null ? List.of() : List.copyOf(haltConditions);
  }
}
