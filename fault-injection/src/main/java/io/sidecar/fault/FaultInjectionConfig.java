package io.sidecar.fault;

import io.sidecar.fault.experiment.ExperimentsConfig;

/** All settings of the module (YAML {@code fault_injection:}; see {@link FaultInjectionConfigParser}). */
public record FaultInjectionConfig(FaultRegistryConfig registry, ExperimentsConfig experiments) {
  public static FaultInjectionConfig defaults() {
    return new FaultInjectionConfig(FaultRegistryConfig.defaults(), ExperimentsConfig.defaults());
  }
}
