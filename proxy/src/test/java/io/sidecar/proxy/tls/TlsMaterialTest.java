package io.sidecar.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
  @TempDir Path dir;

  @Test
  void loadsEachKeyFormatTheListenersAcceptAndDescribesTheCertificate() throws Exception {
    for (TestCertificates.Pair pair : new TestCertificates.Pair[] {
        TestCertificates.rsa(dir, "pkcs8-", "pkcs8"), TestCertificates.ec(dir, "sec1-", "sec1"),
        TestCertificates.rsaPkcs1(dir, "pkcs1-", "pkcs1")}) {
      TlsMaterial material = TlsMaterial.load(pair.cert().toString(), pair.key().toString(), null, "ca");
      assertThat(material.info().subject()).startsWith("CN=");
      assertThat(material.info().notAfter()).isBetween(Instant.now().plus(Duration.ofDays(1)),
          Instant.now().plus(Duration.ofDays(3)));
      assertThat(material.info().sha256()).hasSize(64);
      assertThat(material.trustOptions()).isNull();
    }
    TlsMaterial rsa = TlsMaterial.load(dir.resolve("pkcs8-cert.pem").toString(), dir.resolve("pkcs8-key.pem").toString(),
        dir.resolve("sec1-cert.pem").toString(), "client_ca");
    assertThat(rsa.info().subject()).isEqualTo("CN=pkcs8");
    assertThat(rsa.info().subjectAltNames()).containsExactly("localhost");
    assertThat(rsa.trustOptions().getCertValues()).hasSize(1);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedEvenWhenItsTypeMatches() {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair b = TestCertificates.rsa(dir, "b-", "b");
    assertThatThrownBy(() -> TlsMaterial.load(a.cert().toString(), b.key().toString(), null, "ca"))
        .isInstanceOfSatisfying(TlsMaterial.Invalid.class, e -> {
          assertThat(e.field()).isEqualTo("key");
          assertThat(e.getMessage()).isEqualTo("does not match the certificate (CN=a)");
        });
  }

  @Test
  void aKeyOfAnotherTypeIsRefused() {
    TestCertificates.Pair rsa = TestCertificates.rsa(dir, "r-", "r");
    TestCertificates.Pair ec = TestCertificates.ec(dir, "e-", "e");
    assertThatThrownBy(() -> TlsMaterial.load(rsa.cert().toString(), ec.key().toString(), null, "ca"))
        .isInstanceOfSatisfying(TlsMaterial.Invalid.class, e -> {
          assertThat(e.field()).isEqualTo("key");
          assertThat(e.getMessage()).contains("cannot be used with the certificate");
        });
  }

  @Test
  void filesThatAreNotPemOrAreMissingNameTheirField() throws Exception {
    TestCertificates.Pair good = TestCertificates.rsa(dir, "", "good");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a pem\n");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertInvalid(garbage.toString(), good.key().toString(), null, "cert", "not a PEM certificate");
    assertInvalid(empty.toString(), good.key().toString(), null, "cert", "no PEM certificate in the file");
    assertInvalid(good.cert().toString(), garbage.toString(), null, "key", "cannot be used with the certificate");
    assertInvalid(good.cert().toString(), dir.resolve("absent.pem").toString(), null, "key", "cannot read");
    assertInvalid(good.cert().toString(), good.key().toString(), garbage.toString(), "client_ca",
        "not a PEM certificate");
    // a key is not a certificate either
    assertInvalid(good.key().toString(), good.key().toString(), null, "cert", "not a PEM certificate");
  }

  private static void assertInvalid(String cert, String key, String ca, String field, String message) {
    assertThatThrownBy(() -> TlsMaterial.load(cert, key, ca, "client_ca"))
        .isInstanceOfSatisfying(TlsMaterial.Invalid.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).contains(message);
        });
  }
}
