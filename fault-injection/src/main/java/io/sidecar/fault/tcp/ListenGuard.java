package io.sidecar.fault.tcp;

import io.sidecar.config.HostPort;

/**
 * Who else serves on an address a TCP proxy is about to listen on. A proxy on an address one of the sidecar's own
 * servers or another proxy already uses would not fail to bind: Vert.x shares one socket between its servers on the
 * same address and splits the connections between them (a proxy on a listener's port took every second request).
 * So such a listen fails here, as the bind would fail in Toxiproxy.
 */
@FunctionalInterface
public interface ListenGuard {
  /** Nobody to collide with. */
  ListenGuard NONE = address -> null;

  /** A description of who serves on an address overlapping {@code address} ({@link HostPort#overlaps}), or null. */
  String holder(HostPort address);
}
