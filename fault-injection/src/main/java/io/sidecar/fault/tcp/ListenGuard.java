package io.sidecar.fault.tcp;

import io.sidecar.config.HostPort;

/**
 * Who else serves on an address a TCP proxy is about to listen on. A proxy on an address one of the sidecar's own
 * servers or another proxy already uses would not fail to bind: Vert.x shares one socket between its servers on the
 * same address and splits the connections between them (a proxy on a listener's port took every second request).
 * So such a listen fails here, as the bind would fail in Toxiproxy.
 *
 * <p>A guard may also hold the address for the proxy from the moment {@link #holder} lets it through until the proxy
 * {@link #released releases} it, so that two proxies binding one port at the same moment cannot both pass; the proxy
 * reports the port it really bound with {@link #bound}.
 */
@FunctionalInterface
public interface ListenGuard {
  /** Nobody to collide with. */
  ListenGuard NONE = address -> null;

  /** A description of who serves on an address overlapping {@code address} ({@link HostPort#overlaps}), or null. */
  String holder(HostPort address);

  /** The proxy's bind succeeded on {@code actual} (the real port when it asked for port 0). */
  default void bound(HostPort actual) {
  }

  /** The proxy no longer holds the address it last asked for: its bind failed or its listener has closed. */
  default void released() {
  }
}
