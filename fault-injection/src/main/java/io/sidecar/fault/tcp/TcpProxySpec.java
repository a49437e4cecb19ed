package io.sidecar.fault.tcp;

import io.sidecar.config.HostPort;
import java.util.List;

/**
 * A named L4 pass-through listener ({@code tcp_proxies} in YAML and {@code POST /tcp-proxies}).
 *
 * @param listenPort 0 = any free port (see {@code TcpProxy.listenPort()})
 */
public record TcpProxySpec(String name, String listenHost, int listenPort, String upstreamHost, int upstreamPort,
    List<ToxicSpec> toxics) {
  public TcpProxySpec {
    toxics = toxics == null ? List.of() : List.copyOf(toxics);
  }

  public HostPort listenAddress() {
    return new HostPort(listenHost, listenPort);
  }

  /**
   * The first of {@code proxies} other than {@code except} whose listen address overlaps {@code address}
   * ("tcp proxy redis uses 127.0.0.1:26379"), or null.
   */
  public static String holderAmong(HostPort address, Iterable<TcpProxySpec> proxies, String except) {
    for (TcpProxySpec p : proxies) {
      if (!p.name().equals(except) && address.overlaps(p.listenAddress())) {
        return "tcp proxy " + p.name() + " uses " + p.listenAddress();
      }
    }
    return null;
  }
}
