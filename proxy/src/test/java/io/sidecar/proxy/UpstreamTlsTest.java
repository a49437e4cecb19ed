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
