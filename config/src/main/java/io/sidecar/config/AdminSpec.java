package io.sidecar.config;

/** The control API's listener; an empty token means every mutation is refused. */
public record AdminSpec(HostPort address, String token) {
  public static final HostPort DEFAULT_ADDRESS = new HostPort("127.0.0.1", 9901);
}
