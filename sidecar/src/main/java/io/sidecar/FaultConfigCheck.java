package io.sidecar;

import io.sidecar.config.ConfigCheck;
import io.sidecar.config.ConfigError;
import io.sidecar.config.SidecarConfig;
import io.sidecar.config.YamlNode;
import io.sidecar.fault.FaultInjectionConfigParser;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.parse.FieldError;
import io.sidecar.fault.parse.ParseResult;
import io.sidecar.fault.tcp.TcpProxySpecParser;
import java.util.List;

/** Validates {@code faults}, {@code fault_injection} and {@code tcp_proxies} with the fault module's own parsers. */
final class FaultConfigCheck implements ConfigCheck {

  @Override
  public void check(SidecarConfig config, YamlNode root, List<ConfigError> errors) {
    YamlNode faults = root.get("faults");
    if (faults != null && !faults.isNull()) {
      report(FaultSpecParser.parseList(faults.toPlain(), "faults"), root, errors);
    }
    if (config.faultInjection() != null) {
      report(FaultInjectionConfigParser.parse(config.faultInjection().toPlain(), "fault_injection"), root, errors);
    }
    if (config.tcpProxies() != null) {
      report(TcpProxySpecParser.parseProxies(config.tcpProxies().toPlain(), "tcp_proxies"), root, errors);
    }
  }

  private static void report(ParseResult<?> result, YamlNode root, List<ConfigError> errors) {
    for (FieldError e : result.errors()) {
      errors.add(new ConfigError(e.path(), root.lineOf(e.path()), e.message()));
    }
  }
}
