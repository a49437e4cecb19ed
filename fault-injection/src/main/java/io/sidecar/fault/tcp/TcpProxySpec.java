package io.sidecar.fault.tcp;

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
}
