package io.sidecar.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-language notices about a valid configuration: sections that are parsed and validated but whose
 * feature is not active in this build yet. The set of active features is supplied by the assembly.
 */
public final class ConfigNotices {
  private ConfigNotices() {}

  /** Feature names: "faults", "cache", "predictor", "storage", "circuit_breaker", "outlier_detection", "retry". */
  public static List<String> inactiveSections(SidecarConfig config, java.util.Set<String> activeFeatures) {
    List<String> notices = new ArrayList<>();
    note(notices, activeFeatures, "faults", !config.faults().isEmpty(), "faults");
    boolean routeCache = config.routes().stream().anyMatch(r -> r.cache() != null && r.cache().enabled());
    note(notices, activeFeatures, "cache", routeCache || config.cache().l2Redis() != null, "cache / routes[].cache");
    note(notices, activeFeatures, "predictor", config.predictor().peersRedis() != null, "predictor");
    note(notices, activeFeatures, "storage", config.storage().postgres() != null, "storage");
    note(notices, activeFeatures, "circuit_breaker",
        config.clusters().stream().anyMatch(c -> c.circuitBreaker() != null), "clusters[].circuit_breaker");
    note(notices, activeFeatures, "outlier_detection",
        config.clusters().stream().anyMatch(c -> c.outlierDetection() != null), "clusters[].outlier_detection");
    note(notices, activeFeatures, "retry", config.routes().stream().anyMatch(r -> r.retry() != null),
        "routes[].retry");
    boolean nonRoundRobin = config.clusters().stream().anyMatch(c -> !c.balancer().equals("round_robin"));
    if (nonRoundRobin && !activeFeatures.contains("balancer")) {
      notices.add("clusters[].balancer: parsed and validated, not active yet: every cluster uses round_robin");
    }
    return notices;
  }

  private static void note(List<String> notices, java.util.Set<String> active, String feature, boolean present,
                           String section) {
    if (present && !active.contains(feature)) {
      notices.add(section + ": parsed and validated, not active yet in this build");
    }
  }
}
