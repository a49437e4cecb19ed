package io.sidecar.config;

import java.util.List;

/**
 * Which of the sidecar's own servers (the admin API, the listeners, the Toxiproxy API) an address would collide with.
 * Two servers on overlapping addresses ({@link HostPort#overlaps}) do not fail to bind: Vert.x shares one socket
 * between servers on the same address, and with SO_REUSEPORT the kernel splits connections between sockets, so one
 * server would answer some of the other's connections (and 0.0.0.0 would shadow or be shadowed by a specific address).
 */
public final class ServerAddresses {
  private ServerAddresses() {}

  /**
   * Who already serves on an address overlapping {@code address} ("the admin API uses 127.0.0.1:9901"), or null.
   * {@code toxiproxyApi} may be null (off).
   */
  public static String holder(HostPort address, AdminSpec admin, List<ListenerSpec> listeners,
                              ToxiproxyApiSpec toxiproxyApi) {
    if (address.overlaps(admin.address())) return "the admin API uses " + admin.address();
    for (ListenerSpec l : listeners) {
      if (address.overlaps(l.address())) return "listener " + l.name() + " uses " + l.address();
    }
    if (toxiproxyApi != null && address.overlaps(toxiproxyApi.address())) {
      return "the Toxiproxy API uses " + toxiproxyApi.address();
    }
    return null;
  }
}
