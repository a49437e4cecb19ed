package io.sidecar.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.config.ConfigError;
import io.sidecar.config.ConfigException;
import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import io.sidecar.config.SidecarConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration is refused, with the field's path, for TLS files and settings a listener could not use. */
class TlsConfigCheckTest {
  @TempDir Path dir;
  private final ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get),
      List.of(new TlsConfigCheck()));

  private String config(String listenerTls, String clusterTls) {
    return """
        listeners:
          - { name: plain, address: "127.0.0.1:28001" }
          - name: secure
            address: "127.0.0.1:28002"
            tls: %s
        routes: [ { name: r, listener: secure, cluster: app } ]
        clusters:
          - name: app
            endpoints: [ "127.0.0.1:28003" ]
            tls: %s
        """.formatted(listenerTls, clusterTls);
  }

  private List<ConfigError> errors(String yaml) {
    try {
      loader.parse(yaml);
      return List.of();
    } catch (ConfigException e) {
      return e.errors();
    }
  }

  @Test
  void aGoodListenerAndUpstreamClientPass() throws Exception {
    TestCertificates.Pair server = TestCertificates.rsa(dir, "s-", "server");
    TestCertificates.Pair client = TestCertificates.ec(dir, "c-", "client");
    SidecarConfig config = loader.parse(config(
        "{ cert: %s, key: %s, client_ca: %s, min_version: TLSv1.2, ciphers: [ ECDHE-RSA-AES128-GCM-SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ] }"
            .formatted(server.cert(), server.key(), client.cert()),
        "{ cert: %s, key: %s, ca: %s }".formatted(client.cert(), client.key(), server.cert())));
    assertThat(config.listeners().get(1).tls().protocols()).containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(config.listeners().get(1).tls().ciphers()).hasSize(2);
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefusedWithItsPath() {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair b = TestCertificates.rsa(dir, "b-", "b");
    assertThat(errors(config("{ cert: %s, key: %s }".formatted(a.cert(), b.key()), "{ verify: true }")))
        .extracting(ConfigError::path, ConfigError::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("listeners[1].tls.key", "does not match the certificate (CN=a)"));
    assertThat(errors(config("{ cert: %s, key: %s }".formatted(a.cert(), a.key()),
        "{ cert: %s, key: %s }".formatted(b.cert(), a.key()))))
        .extracting(ConfigError::path).containsExactly("clusters[0].tls.key");
  }

  @Test
  void aCaFileWithoutCertificatesIsRefused() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    assertThat(errors(config("{ cert: %s, key: %s, client_ca: %s }".formatted(a.cert(), a.key(), a.key()),
        "{ ca: %s }".formatted(a.key()))))
        .extracting(ConfigError::path).containsExactly("listeners[1].tls.client_ca", "clusters[0].tls.ca");
  }

  @Test
  void cipherSuitesMustBeKnownAndOnlyGoWithTls12() {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    List<ConfigError> unknown = errors(config("{ cert: %s, key: %s, ciphers: [ ECDHE-RSA-AES128-GCM-SHA256, NOT-A-CIPHER ] }"
        .formatted(a.cert(), a.key()), "{ verify: true }"));
    assertThat(unknown).extracting(ConfigError::path).containsExactly("listeners[1].tls.ciphers");
    assertThat(unknown.get(0).message()).startsWith("cipher suite 'NOT-A-CIPHER' is unknown to");
    assertThat(unknown.get(0).line()).isEqualTo(5);

    assertThat(errors(config("{ cert: %s, key: %s, min_version: 1.3, ciphers: [ ECDHE-RSA-AES128-GCM-SHA256 ] }"
        .formatted(a.cert(), a.key()), "{ verify: true }")))
        .extracting(ConfigError::message).containsExactly(
            "apply to TLS 1.2 only, and min_version is 1.3 (TLS 1.3 suites are fixed)");
  }

  @Test
  void oldOrUnknownVersionsAndOpenSslCipherStringsAreRefusedByTheParser() {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    assertThatThrownBy(() -> loader.parse(config("{ cert: %s, key: %s, min_version: TLSv1.1 }".formatted(a.cert(), a.key()),
        "{ verify: true }")))
        .hasMessageContaining("listeners[1].tls.min_version").hasMessageContaining("deprecated (RFC 8996)");
    assertThatThrownBy(() -> loader.parse(config("{ cert: %s, key: %s, min_version: \"2\" }".formatted(a.cert(), a.key()),
        "{ verify: true }")))
        .hasMessageContaining("must be 1.2 or 1.3, got '2'");
    assertThatThrownBy(() -> loader.parse(config("{ cert: %s, key: %s, ciphers: \"ECDHE-RSA-AES128-GCM-SHA256:HIGH\" }"
        .formatted(a.cert(), a.key()), "{ verify: true }")))
        .hasMessageContaining("listeners[1].tls.ciphers").hasMessageContaining("one cipher suite per list item");
  }
}
