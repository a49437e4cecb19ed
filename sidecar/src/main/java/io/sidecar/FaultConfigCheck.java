package io.sidecar;

import io.sidecar.config.ConfigCheck;
import io.sidecar.config.ConfigError;
import io.sidecar.config.HostPort;
import io.sidecar.config.ServerAddresses;
import io.sidecar.config.SidecarConfig;
import io.sidecar.config.YamlNode;
import io.sidecar.fault.FaultInjectionConfigParser;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.parse.FieldError;
import io.sidecar.fault.parse.KnownNames;
import io.sidecar.fault.parse.ParseResult;
import io.sidecar.fault.tcp.TcpProxySpec;
import io.sidecar.fault.tcp.TcpProxySpecParser;
import java.util.List;

/** Validates {@code faults}, {@code fault_injection} and {@code tcp_proxies} with the fault module's own parsers. */
final class FaultConfigCheck implements ConfigCheck {

  @Override
  public void check(SidecarConfig config, YamlNode root, List<ConfigError> errors) {
    YamlNode faults = root.get("faults");
    if (faults != null && !faults.isNull()) {
      Object tree = faults.toPlain();
      ParseResult<?> parsed = FaultSpecParser.parseList(tree, "faults");
      report(parsed, root, errors);
      if (parsed.ok()) {
        report(new ParseResult<>(null, new KnownNames(config.routeNames(), config.clusterNames())
            .checkFaults(tree, "faults")), root, errors);
      }
    }
    if (config.faultInjection() != null) {
      report(FaultInjectionConfigParser.parse(config.faultInjection().toPlain(), "fault_injection"), root, errors);
    }
    if (config.tcpProxies() != null) {
      ParseResult<List<TcpProxySpec>> proxies = TcpProxySpecParser.parseProxies(config.tcpProxies().toPlain(), "tcp_proxies");
      report(proxies, root, errors);
      if (proxies.ok()) checkListenAddresses(proxies.value(), config, root, errors);
    }
  }

  /**
   * A proxy may not listen where one of our servers or an earlier proxy does ({@link ServerAddresses}): it would not
   * fail to bind, it would share the socket and take part of the other's connections.
   */
  private static void checkListenAddresses(List<TcpProxySpec> proxies, SidecarConfig config, YamlNode root,
                                           List<ConfigError> errors) {
    for (int i = 0; i < proxies.size(); i++) {
      HostPort address = proxies.get(i).listenAddress();
      String holder = ServerAddresses.holder(address, config.admin(), config.listeners(), config.toxiproxyApi());
      if (holder == null) holder = TcpProxySpec.holderAmong(address, proxies.subList(0, i), null);
      if (holder != null) {
        String path = "tcp_proxies[" + i + "].listen";
        errors.add(new ConfigError(path, root.lineOf(path), holder));
      }
    }
  }

  private static void report(ParseResult<?> result, YamlNode root, List<ConfigError> errors) {
    for (FieldError e : result.errors()) {
      errors.add(new ConfigError(e.path(), root.lineOf(e.path()), e.message()));
    }
  }
}
