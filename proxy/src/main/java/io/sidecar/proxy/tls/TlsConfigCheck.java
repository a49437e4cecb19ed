package io.sidecar.proxy.tls;

import io.sidecar.config.ClusterSpec;
import io.sidecar.config.ConfigCheck;
import io.sidecar.config.ConfigError;
import io.sidecar.config.ListenerSpec;
import io.sidecar.config.SidecarConfig;
import io.sidecar.config.TlsServerSpec;
import io.sidecar.config.UpstreamTlsSpec;
import io.sidecar.config.YamlNode;
import java.util.List;

/**
 * Loads every certificate, key and CA file the configuration names, the way the listeners and upstream clients will,
 * so that a file that does not parse, a key that is not the certificate's, or a cipher suite the TLS library does not
 * know rejects the configuration (with the field's path) instead of failing a listener after the swap.
 */
public final class TlsConfigCheck implements ConfigCheck {

  @Override
  public void check(SidecarConfig config, YamlNode root, List<ConfigError> errors) {
    List<ListenerSpec> listeners = config.listeners();
    for (int i = 0; i < listeners.size(); i++) {
      TlsServerSpec tls = listeners.get(i).tls();
      if (tls == null) continue;
      String path = "listeners[" + i + "].tls";
      load(root, errors, path, tls.cert(), tls.key(), tls.clientCa(), "client_ca");
      for (String suite : tls.ciphers()) {
        if (!ServerTls.knowsCipher(suite)) {
          error(root, errors, path + ".ciphers", "cipher suite '" + suite + "' is unknown to "
              + (ServerTls.openSsl() ? "OpenSSL (BoringSSL)" : "the JDK"));
        }
      }
      if (!tls.ciphers().isEmpty() && !tls.protocols().contains("TLSv1.2")) {
        error(root, errors, path + ".ciphers", "apply to TLS 1.2 only, and min_version is 1.3 (TLS 1.3 suites are fixed)");
      }
    }
    List<ClusterSpec> clusters = config.clusters();
    for (int i = 0; i < clusters.size(); i++) {
      UpstreamTlsSpec tls = clusters.get(i).tls();
      if (tls == null) continue;
      load(root, errors, "clusters[" + i + "].tls", tls.cert(), tls.key(), tls.caFile(), "ca");
    }
  }

  private static void load(YamlNode root, List<ConfigError> errors, String path, String cert, String key, String ca,
                           String caField) {
    try {
      TlsMaterial.load(cert, key, ca, caField);
    } catch (TlsMaterial.Invalid e) {
      error(root, errors, path + "." + e.field(), e.getMessage());
    }
  }

  private static void error(YamlNode root, List<ConfigError> errors, String path, String message) {
    errors.add(new ConfigError(path, root.lineOf(path), message));
  }
}
