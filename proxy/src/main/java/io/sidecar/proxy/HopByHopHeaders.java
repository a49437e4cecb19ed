package io.sidecar.proxy;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 9110 §7.6.1: a proxy must not forward the connection-specific fields: Connection, the fields it names,
 * and the fixed hop-by-hop set (Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade), except
 * Content-Length, which Connection may not name.
 */
public final class HopByHopHeaders {
  static final List<String> FIXED = List.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
      "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

  private HopByHopHeaders() {}

  /**
   * Copies the end-to-end fields of {@code source} into {@code target} in one pass (the hot path: no copy-then-
   * remove). Fields named by Connection are dropped too.
   */
  public static void copyEndToEnd(MultiMap source, MultiMap target) {
    boolean namesMore = false;
    for (Map.Entry<String, String> header : source) {
      String name = header.getKey();
      if (isFixed(name)) {
        if (name.equalsIgnoreCase("connection") && !onlyStandardTokens(header.getValue())) namesMore = true;
        continue;
      }
      target.add(name, header.getValue());
    }
    if (namesMore) {
      for (String value : source.getAll("connection")) {
        for (String token : value.split(",")) {
          String name = token.trim();
          // Content-Length frames the message for every recipient (RFC 9110 §7.6.1 forbids naming it): dropping
          // it on a client's word would leave the body we forward without framing.
          if (!name.isEmpty() && !name.equalsIgnoreCase("content-length")) target.remove(name);
        }
      }
    }
  }

  private static boolean isFixed(String name) {
    for (int i = 0; i < FIXED.size(); i++) {
      if (FIXED.get(i).equalsIgnoreCase(name)) return true;
    }
    return false;
  }

  /**
   * Whether a comma-separated field value (RFC 9110 §5.6.1) has {@code element} among its elements, compared without
   * case and without the parameters after a ';' ({@code trailers;q=1}).
   */
  static boolean listHas(String value, String element) {
    if (value == null) return false;
    for (String item : value.split(",")) {
      int params = item.indexOf(';');
      if ((params < 0 ? item : item.substring(0, params)).trim().equalsIgnoreCase(element)) return true;
    }
    return false;
  }

  /** {@code keep-alive}, {@code close}, {@code upgrade}: tokens that name no other field to drop. */
  private static boolean onlyStandardTokens(String value) {
    for (String token : value.split(",")) {
      String t = token.trim();
      if (!t.isEmpty() && !t.equalsIgnoreCase("keep-alive") && !t.equalsIgnoreCase("close")
          && !t.equalsIgnoreCase("upgrade")) {
        return false;
      }
    }
    return true;
  }
}
