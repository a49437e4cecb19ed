package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.proxy.tls.TestCertificates;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS to the endpoints: the certificate is verified against the endpoint or the cluster's {@code tls.sni}. */
class UpstreamTlsTest {
  @TempDir Path dir;
  private final ProxyHarness h = new ProxyHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** An HTTPS upstream whose certificate names only {@code api.internal}; it answers with the SNI it was sent. */
  private int upstream(TestCertificates.Pair pair) {
    HttpServer server = ProxyHarness.await(h.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pair.cert().toString())
                .setKeyPath(pair.key().toString())))
        .requestHandler(req -> req.response().end("sni=" + req.connection().indicatedServerName()))
        .listen(0, "127.0.0.1"));
    return server.actualPort();
  }

  private String config(int upstream, Path ca, String tlsExtras, String clusterExtras) {
    return """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters:
          - name: app
            endpoints: [ "127.0.0.1:%d" ]
            tls: { verify: true, ca: "%s"%s }
        %s""".formatted(upstream, ca, tlsExtras, clusterExtras);
  }

  @Test
  void sniNamesTheServerAndIsWhatItsCertificateIsVerifiedAgainst() {
    TestCertificates.Pair api = TestCertificates.rsa(dir, "api-", "api", "api.internal");
    int upstream = upstream(api);
    h.start(1, config(upstream, api.cert(), ", sni: api.internal", ""));
    ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/", null, null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("sni=api.internal");
  }

  @Test
  void withoutSniTheCertificateMustNameTheEndpointElseTheConnectionFails() {
    TestCertificates.Pair api = TestCertificates.rsa(dir, "api-", "api", "api.internal");
    int upstream = upstream(api);
    h.start(1, config(upstream, api.cert(), "", ""));
    ProxyHarness.Reply reply = h.send(HttpMethod.GET, "/", null, null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.headers().get("x-sidecar-flags")).isEqualTo("UF");
  }

  @Test
  void aRotatedClientCertificateIsPresentedOnNewConnectionsToTheEndpointsAndTheProbes() throws Exception {
    TestCertificates.Pair api = TestCertificates.rsa(dir, "api-", "api", "api.internal");
    TestCertificates.Pair clientA = TestCertificates.rsa(dir, "ca-", "client-a");
    TestCertificates.Pair clientB = TestCertificates.rsa(dir, "cb-", "client-b");
    Path trusted = dir.resolve("trusted.pem");
    java.nio.file.Files.writeString(trusted, java.nio.file.Files.readString(clientA.cert())
        + java.nio.file.Files.readString(clientB.cert()));
    java.util.Set<String> probedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // mutual TLS: the upstream wants a client certificate, names it in its answer and closes each connection
    HttpServer server = ProxyHarness.await(h.vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(api.cert().toString()).setKeyPath(api.key().toString()))
            .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(trusted.toString()))
            .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED))
        .requestHandler(req -> {
          String client = clientSubject(req);
          if (req.path().equals("/healthz")) probedBy.add(client);
          req.response().putHeader("connection", "close").end(client);
        })
        .listen(0, "127.0.0.1"));
    Path cert = dir.resolve("client-cert.pem");
    Path key = dir.resolve("client-key.pem");
    java.nio.file.Files.copy(clientA.cert(), cert);
    java.nio.file.Files.copy(clientA.key(), key);
    h.start(1, config(server.actualPort(), api.cert(), ", sni: api.internal, cert: \"%s\", key: \"%s\"".formatted(cert, key),
        "    health_check: { path: /healthz, interval: 100ms, timeout: 1s, healthy_threshold: 1 }\n"));
    assertThat(h.send(HttpMethod.GET, "/", null, null).body()).isEqualTo("CN=client-a");

    java.nio.file.Files.copy(clientB.cert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    java.nio.file.Files.copy(clientB.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + 15_000_000_000L;
    String body = "";
    while (!body.equals("CN=client-b") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      body = h.send(HttpMethod.GET, "/", null, null).body();
    }
    assertThat(body).isEqualTo("CN=client-b");
    while (!probedBy.contains("CN=client-b") && System.nanoTime() < deadline) Thread.sleep(50);
    assertThat(probedBy).contains("CN=client-b");
    assertThat(h.runtime.snapshot().cluster("app").tlsStatus().certificate().subject()).isEqualTo("CN=client-b");
    assertThat(h.registry.get("sidecar_tls_certificate_reloads").tag("cluster", "app").tag("result", "ok").counter()
        .count()).isGreaterThanOrEqualTo(1);
  }

  private static String clientSubject(io.vertx.core.http.HttpServerRequest req) {
    try {
      return ((java.security.cert.X509Certificate) req.connection().sslSession().getPeerCertificates()[0])
          .getSubjectX500Principal().getName();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return "none";
    }
  }

  @Test
  void healthChecksUseTheSameServerName() throws Exception {
    TestCertificates.Pair api = TestCertificates.rsa(dir, "api-", "api", "api.internal");
    int upstream = upstream(api);
    h.start(1, config(upstream, api.cert(), ", sni: api.internal",
        "    health_check: { path: /healthz, interval: 100ms, timeout: 1s, healthy_threshold: 1 }\n"));
    long deadline = System.nanoTime() + 10_000_000_000L;
    String state = "";
    while (!"healthy".equals(state) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      state = h.runtime.snapshot().cluster("app").balancer().snapshot().endpoints().get(0).healthCheck();
    }
    assertThat(state).isEqualTo("healthy");
  }
}
