package io.sidecar.proxy;

import static io.sidecar.proxy.ProxyHarness.await;
import static io.sidecar.proxy.ProxyHarness.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.proxy.tls.WatchedTls;
import io.sidecar.proxy.tls.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS listener's certificate rotates without a restart; bad files and bad reloads leave it serving. */
class CertificateRotationTest {
  @TempDir Path dir;
  private final ProxyHarness h = new ProxyHarness();
  private Path liveCert;
  private Path liveKey;
  private int upstream;

  private final java.util.List<Socket> sockets = new java.util.ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) s.close(); // an open connection would hold the listener's graceful stop
    h.close();
  }

  private void startWith(TestCertificates.Pair pair, String tlsExtras) throws IOException {
    liveCert = dir.resolve("live-cert.pem");
    liveKey = dir.resolve("live-key.pem");
    install(pair.cert(), liveCert);
    install(pair.key(), liveKey);
    upstream = h.upstream(req -> req.response().end("ok"));
    h.start(1, tlsConfig(liveCert, liveKey, tlsExtras, upstream));
  }

  private static String tlsConfig(Path cert, Path key, String tlsExtras, int upstream) {
    return """
        listeners: [ { name: secure, address: "127.0.0.1:{PROXY}", tls: { cert: "%s", key: "%s"%s } } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(cert, key, tlsExtras, upstream);
  }

  /** Replaces the file in one rename, as Kubernetes and cert-manager do. */
  private static void install(Path from, Path to) throws IOException {
    Path next = to.resolveSibling(to.getFileName() + ".next");
    Files.copy(from, next, StandardCopyOption.REPLACE_EXISTING);
    Files.move(next, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void newFilesAreServedToNewHandshakesWhileOpenConnectionsGoOnAndAHalfWrittenPairWaits() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair b = TestCertificates.rsa(dir, "b-", "b");
    startWith(a, "");
    SSLSocket before = handshake(null, null);
    assertThat(subject(before)).isEqualTo("CN=a");
    assertThat(get(before)).startsWith("HTTP/1.1 200");

    install(b.cert(), liveCert); // the certificate first: it does not go with the key yet
    within(15_000, () -> status().rejections() == 1);
    assertThat(subject(handshake(null, null))).isEqualTo("CN=a");
    assertThat(status().lastError()).isEqualTo("key: does not match the certificate (CN=b)");
    assertThat(h.registry.get("sidecar_tls_certificate_reloads").tag("result", "rejected").counter().count()).isEqualTo(1);

    install(b.key(), liveKey);
    within(15_000, () -> status().rotations() == 1);
    for (int i = 0; i < 6; i++) { // every event loop's instance serves the new one
      assertThat(subject(handshake(null, null))).isEqualTo("CN=b");
    }
    assertThat(get(before)).startsWith("HTTP/1.1 200");
    assertThat(status().certificate().subject()).isEqualTo("CN=b");
    assertThat(h.registry.get("sidecar_tls_certificate_expiry_timestamp_seconds").gauge().value())
        .isEqualTo((double) status().certificate().notAfter().getEpochSecond());
    assertThat(h.registry.get("sidecar_tls_certificate_reloads").tag("result", "ok").counter().count()).isEqualTo(1);
  }

  @Test
  void aChangeOfTlsSettingsAloneIsAppliedToTheRunningListener() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair ec = TestCertificates.ec(dir, "e-", "ec");
    startWith(a, "");
    SSLSocket before = handshake("TLSv1.2", null);
    assertThat(get(before)).startsWith("HTTP/1.1 200");

    h.start(2, tlsConfig(ec.cert(), ec.key(), ", min_version: \"1.3\"", upstream));
    SSLSocket tls13 = handshake(null, null);
    assertThat(subject(tls13)).isEqualTo("CN=ec");
    assertThat(tls13.getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThatThrownBy(() -> handshake("TLSv1.2", null)).isInstanceOf(SSLHandshakeException.class);
    assertThat(get(before)).as("the socket was not closed and reopened").startsWith("HTTP/1.1 200");
  }

  @Test
  void tls12OffersOnlyAeadSuitesByDefaultAndTheConfiguredOnesWhenSet() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    startWith(a, "");
    assertThat(handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").getSession().getCipherSuite())
        .isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThatThrownBy(() -> handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"))
        .isInstanceOf(SSLHandshakeException.class);
    assertThatThrownBy(() -> handshake("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256"))
        .as("no key exchange without forward secrecy").isInstanceOf(SSLHandshakeException.class);

    h.start(2, tlsConfig(liveCert, liveKey, ", ciphers: [ ECDHE-RSA-AES256-GCM-SHA384 ]", upstream));
    assertThatThrownBy(() -> handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
        .isInstanceOf(SSLHandshakeException.class);
    assertThat(handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").getSession().getCipherSuite())
        .isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assertThat(handshake(null, null).getSession().getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void aListenerMovedToAnotherPortServesThereWithItsCertificateWatchAndTheOldPortCloses() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    startWith(a, "");
    int oldPort = h.proxyPort;
    h.proxyPort = ProxyHarness.freePort();
    h.start(2, tlsConfig(liveCert, liveKey, "", upstream));
    assertThat(get(handshake(null, null))).startsWith("HTTP/1.1 200");
    assertThat(status().certificate().subject()).isEqualTo("CN=a");
    assertThat(h.registry.get("sidecar_tls_certificate_expiry_timestamp_seconds").gauge().value())
        .isEqualTo((double) status().certificate().notAfter().getEpochSecond());
    assertThatThrownBy(() -> new Socket("127.0.0.1", oldPort).close()).isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void aListenerThatCannotMoveKeepsServingWhereItWasAndKeepsRotatingItsCertificate() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair b = TestCertificates.rsa(dir, "b-", "b");
    startWith(a, "");
    int oldPort = h.proxyPort;
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      h.proxyPort = taken.getLocalPort();
      assertThatThrownBy(() -> h.start(2, tlsConfig(liveCert, liveKey, "", upstream)))
          .hasStackTraceContaining("Address already in use");
    }
    h.proxyPort = oldPort;
    assertThat(get(handshake(null, null))).startsWith("HTTP/1.1 200");
    install(b.key(), liveKey);
    install(b.cert(), liveCert);
    within(15_000, () -> status().certificate().subject().equals("CN=b"));
    assertThat(subject(handshake(null, null))).isEqualTo("CN=b");
  }

  @Test
  void aChangedListenerThatCannotStartIsStartedAgainAsItWas() throws Exception {
    int upstream = h.upstream(req -> req.response().end("ok"));
    String yaml = """
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """;
    h.start(1, yaml.formatted(h.proxyPort = ProxyHarness.freePort(), upstream));
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> h.start(2, yaml.formatted(taken.getLocalPort(), upstream)))
          .hasStackTraceContaining("Address already in use");
    }
    try (Socket plain = new Socket("127.0.0.1", h.proxyPort)) {
      assertThat(get(plain)).startsWith("HTTP/1.1 200");
    }
  }

  private WatchedTls.Status status() {
    return h.dataPlane.tlsStatus().get("secure").files();
  }

  /** A TLS handshake to the listener that trusts any certificate, limited to a version and suite when given. */
  private SSLSocket handshake(String protocol, String suite) throws Exception {
    SSLSocket socket = (SSLSocket) TrustAllCertificates.context().getSocketFactory().createSocket("127.0.0.1", h.proxyPort);
    sockets.add(socket);
    socket.setSoTimeout(10_000);
    if (protocol != null) socket.setEnabledProtocols(new String[] {protocol});
    if (suite != null) socket.setEnabledCipherSuites(new String[] {suite});
    try {
      socket.startHandshake();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  private static String subject(SSLSocket socket) throws Exception {
    return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  /** One keep-alive GET on the socket; the status line and headers of the answer. */
  private static String get(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("closed after: " + head);
      head.append((char) b);
    }
    int length = Integer.parseInt(head.toString().replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
    in.readNBytes(length);
    return head.toString();
  }

}
