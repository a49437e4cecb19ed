package io.sidecar.proxy;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;

/**
 * RFC 9110 §7.6.1: a proxy must not forward the connection-specific fields: Connection, the fields it names,
 * and the fixed hop-by-hop set (Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade).
 */
public final class HopByHopHeaders {
  static final List<String> FIXED = List.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
      "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

  private HopByHopHeaders() {}

  /** Removes the hop-by-hop fields from {@code headers} in place. */
  public static void strip(MultiMap headers) {
    List<String> connection = headers.getAll("connection");
    for (String value : connection) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) headers.remove(name);
      }
    }
    for (String name : FIXED) {
      headers.remove(name);
    }
  }
}
