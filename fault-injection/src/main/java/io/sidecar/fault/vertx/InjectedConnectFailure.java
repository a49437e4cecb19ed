package io.sidecar.fault.vertx;

import java.net.ConnectException;

/**
 * The failure an {@code upstream_unavailable} abort stands for. It is a {@link ConnectException}, so
 * the proxy's retry policy, outlier detection and circuit breaker treat it exactly like a real
 * connect failure; {@link #faultNames()} tells logs and metrics it was injected.
 */
public final class InjectedConnectFailure extends ConnectException {
  private final String faultNames;

  public InjectedConnectFailure(String faultNames) {
    super("upstream unavailable (injected by fault " + faultNames + ")");
    this.faultNames = faultNames;
  }

  public String faultNames() {
    return faultNames;
  }
}
