package io.sidecar.fault;

/**
 * Registry settings.
 *
 * @param maxActiveFaults guard rail: adding a fault (or starting an experiment) beyond this many
 *     active rules is refused
 * @param seed random seed for percentages and delay sampling; null = not reproducible
 */
public record FaultRegistryConfig(int maxActiveFaults, Long seed, HeaderFaultConfig headerFaults) {
  public static final int DEFAULT_MAX_ACTIVE_FAULTS = 100;

  public static FaultRegistryConfig defaults() {
    return new FaultRegistryConfig(DEFAULT_MAX_ACTIVE_FAULTS, null, HeaderFaultConfig.DISABLED);
  }

  public FaultRegistryConfig withSeed(long s) {
    return new FaultRegistryConfig(maxActiveFaults, s, headerFaults);
  }

  public FaultRegistryConfig withMaxActiveFaults(int max) {
    return new FaultRegistryConfig(max, seed, headerFaults);
  }

  public FaultRegistryConfig withHeaderFaults(HeaderFaultConfig h) {
    return new FaultRegistryConfig(maxActiveFaults, seed, h);
  }
}
