package io.sidecar.fault.experiment;

public enum ExperimentState {
  /** Waiting for its start time. */
  SCHEDULED,
  /** Its faults are in the registry. */
  RUNNING,
  /** Duration elapsed, halted by a condition, stopped by a user or by stop-all. */
  ENDED,
  /** Could not start at its scheduled time (e.g. max active faults reached). */
  FAILED
}
