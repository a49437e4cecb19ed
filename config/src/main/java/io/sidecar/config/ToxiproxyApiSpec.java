package io.sidecar.config;

/**
 * The Toxiproxy-compatible HTTP API over the TCP proxies ({@code toxiproxy_api:}); off when the section is absent.
 * It has no token, as Toxiproxy has none: keep it on loopback.
 */
public record ToxiproxyApiSpec(HostPort address) {
  /** Toxiproxy's own default port, on loopback. */
  public static final HostPort DEFAULT_ADDRESS = new HostPort("127.0.0.1", 8474);
}
