package io.sidecar.fault;

/** Adding faults would exceed {@link FaultRegistryConfig#maxActiveFaults()}; the API answers 409. */
public final class FaultLimitExceededException extends RuntimeException {
  public FaultLimitExceededException(int active, int adding, int max) {
    super("max_active_faults is " + max + ": " + active + " active, cannot add " + adding);
  }
}
