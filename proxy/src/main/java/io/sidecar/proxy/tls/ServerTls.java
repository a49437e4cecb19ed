package io.sidecar.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.sidecar.config.TlsServerSpec;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** How a listener's TLS settings become Vert.x server SSL options, at start and on a certificate rotation. */
public final class ServerTls {
  /**
   * TLS 1.2 suites offered when {@code ciphers} is not set: ECDHE key exchange with AEAD ciphers only, Envoy's
   * server default (and Mozilla's "intermediate" profile without the DHE suites). CBC suites are left out
   * (Lucky Thirteen, RFC 7457 §2.8).
   */
  public static final List<String> DEFAULT_CIPHERS = List.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

  /**
   * TLS 1.3's suites (RFC 8446 §B.4), always enabled when 1.3 is: BoringSSL does not let them be chosen, and the
   * JDK provider needs them named to offer TLS 1.3 at all.
   */
  static final List<String> TLS_1_3_CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  private ServerTls() {}

  /** True when the listener will run on OpenSSL (netty-tcnative), as it does whenever that is present. */
  public static boolean openSsl() {
    return OpenSSLEngineOptions.isAvailable();
  }

  /** Sets certificate, client-certificate checks, versions and suites on {@code ssl}; returns it. */
  public static ServerSSLOptions configure(ServerSSLOptions ssl, TlsServerSpec spec, TlsMaterial material) {
    ssl.setKeyCertOptions(material.keyCertOptions());
    if (material.trustOptions() != null) {
      ssl.setTrustOptions(material.trustOptions()).setClientAuth(ClientAuth.REQUIRED);
    }
    ssl.setEnabledSecureTransportProtocols(new LinkedHashSet<>(spec.protocols()));
    for (String suite : ciphers(spec)) ssl.addEnabledCipherSuite(suite);
    return ssl;
  }

  /** The options a running listener is updated with when its certificate changes. */
  public static ServerSSLOptions updated(TlsServerSpec spec, TlsMaterial material) {
    return configure(new ServerSSLOptions().setUseAlpn(true), spec, material);
  }

  private static Set<String> ciphers(TlsServerSpec spec) {
    Set<String> suites = new LinkedHashSet<>(spec.ciphers().isEmpty() ? DEFAULT_CIPHERS : spec.ciphers());
    if (spec.protocols().contains("TLSv1.3")) suites.addAll(TLS_1_3_CIPHERS);
    return suites;
  }

  /** Whether the TLS library the listener will use knows {@code suite} (IANA or OpenSSL spelling). */
  public static boolean knowsCipher(String suite) {
    if (openSsl()) return OpenSsl.isCipherSuiteAvailable(suite);
    try {
      return List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()).contains(suite);
    } catch (NoSuchAlgorithmException e) {
      return false;
    }
  }
}
