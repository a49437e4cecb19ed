package io.sidecar.config;

import java.util.List;

/**
 * A listener's TLS: PEM certificate chain and key; {@code clientCa} (nullable) turns on client-certificate checks.
 * {@code protocols} are the enabled versions from {@code min_version} ({@code TLSv1.2} and up by default, as Envoy and
 * Mozilla's "intermediate" profile; 1.0 and 1.1 are refused, RFC 8996). {@code ciphers} are TLS 1.2 suites in IANA
 * or OpenSSL spelling; empty means the default AEAD-only list ({@code ServerTls.DEFAULT_CIPHERS} in the proxy).
 * TLS 1.3 suites are not configurable (BoringSSL, as Envoy).
 */
public record TlsServerSpec(String cert, String key, String clientCa, List<String> protocols, List<String> ciphers) {
  public static final List<String> FROM_TLS_1_2 = List.of("TLSv1.2", "TLSv1.3");
  public static final List<String> TLS_1_3_ONLY = List.of("TLSv1.3");

  public TlsServerSpec {
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
  }

  /** Certificate and key with the defaults for everything else. */
  public static TlsServerSpec of(String cert, String key, String clientCa) {
    return new TlsServerSpec(cert, key, clientCa, FROM_TLS_1_2, List.of());
  }
}
