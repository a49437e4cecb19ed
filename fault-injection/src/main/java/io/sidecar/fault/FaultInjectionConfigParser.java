package io.sidecar.fault;

import io.sidecar.fault.experiment.ExperimentsConfig;
import io.sidecar.fault.parse.FieldReader;
import io.sidecar.fault.parse.ParseResult;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Parses the optional settings section (suggested YAML key {@code fault_injection}):
 *
 * <pre>
 * fault_injection:
 *   seed: 42                       # reproducible percentages and delays; omit for random
 *   max_active_faults: 100
 *   evaluation_interval: 1s        # how often experiment halt conditions are checked
 *   history: 100                   # ended experiments kept for GET /experiments
 *   header_faults: { enabled: false, delay_header: x-sidecar-fault-delay-ms,
 *                    abort_header: x-sidecar-fault-abort, max_delay: 30s }
 * </pre>
 */
public final class FaultInjectionConfigParser {
  private FaultInjectionConfigParser() {}

  public static ParseResult<FaultInjectionConfig> parse(Object tree, String path) {
    FieldReader r = new FieldReader();
    if (tree == null) return new ParseResult<>(FaultInjectionConfig.defaults(), r.errors());
    Map<String, Object> m = r.object(tree, path);
    if (m == null) return new ParseResult<>(null, r.errors());
    r.rejectUnknown(m, Set.of("seed", "max_active_faults", "evaluation_interval", "history", "header_faults"), path, "field");
    Long seed = r.integer(m, "seed", path, false, Long.MIN_VALUE, Long.MAX_VALUE);
    Long max = r.integer(m, "max_active_faults", path, false, 1, 100_000);
    Duration interval = r.duration(m, "evaluation_interval", path, false, false);
    if (interval != null && interval.toMillis() < 1) r.error(FieldReader.child(path, "evaluation_interval"), "must be at least 1ms");
    Long history = r.integer(m, "history", path, false, 0, 100_000);
    HeaderFaultConfig headers = HeaderFaultConfig.DISABLED;
    if (m.containsKey("header_faults")) {
      String hp = FieldReader.child(path, "header_faults");
      Map<String, Object> h = r.object(m.get("header_faults"), hp);
      if (h != null) {
        r.rejectUnknown(h, Set.of("enabled", "delay_header", "abort_header", "max_delay"), hp, "field");
        Boolean enabled = r.bool(h, "enabled", hp);
        String delay = r.string(h, "delay_header", hp, false);
        String abort = r.string(h, "abort_header", hp, false);
        Duration maxDelay = r.duration(h, "max_delay", hp, false, false);
        headers = new HeaderFaultConfig(enabled != null && enabled,
            delay == null ? HeaderFaultConfig.DEFAULT_DELAY_HEADER : delay.toLowerCase(java.util.Locale.ROOT),
            abort == null ? HeaderFaultConfig.DEFAULT_ABORT_HEADER : abort.toLowerCase(java.util.Locale.ROOT),
            maxDelay == null ? HeaderFaultConfig.DEFAULT_MAX_DELAY : maxDelay);
      }
    }
    if (r.hasErrors()) return new ParseResult<>(null, r.errors());
    return new ParseResult<>(new FaultInjectionConfig(
        new FaultRegistryConfig(max == null ? FaultRegistryConfig.DEFAULT_MAX_ACTIVE_FAULTS : max.intValue(), seed, headers),
        new ExperimentsConfig(interval == null ? ExperimentsConfig.DEFAULT_EVALUATION_INTERVAL : interval,
            history == null ? ExperimentsConfig.DEFAULT_HISTORY_SIZE : history.intValue())), r.errors());
  }
}
