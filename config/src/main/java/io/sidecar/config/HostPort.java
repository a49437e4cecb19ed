package io.sidecar.config;

/** A {@code host:port} address ({@code [::1]:80} for IPv6). */
public record HostPort(String host, int port) {

  /** Parses {@code host:port}; throws IllegalArgumentException with a message fit for a config error. */
  public static HostPort parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric port");
    }
    return new HostPort(host, port);
  }

  /**
   * Whether a server bound here and one bound at {@code other} would take the same connections: the same port and
   * the same host, or a wildcard host (0.0.0.0, ::) on either side. With SO_REUSEPORT (our default) the kernel lets
   * both bind and splits or shadows the traffic instead of failing, so the config must catch it.
   */
  public boolean overlaps(HostPort other) {
    if (port == 0 || other.port == 0) return false; // an ephemeral port is a new one each bind
    return port == other.port && (host.equalsIgnoreCase(other.host) || isWildcard(host) || isWildcard(other.host));
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
