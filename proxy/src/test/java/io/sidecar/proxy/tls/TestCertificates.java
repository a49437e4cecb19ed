package io.sidecar.proxy.tls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates and keys for tests, written by the openssl command line (as the operators' own would be). */
public final class TestCertificates {
  /** A certificate file and its key file. */
  public record Pair(Path cert, Path key) {}

  private TestCertificates() {}

  /** RSA 2048, key in PKCS#8 ({@code BEGIN PRIVATE KEY}), subject {@code CN=cn}, SAN DNS:localhost. */
  public static Pair rsa(Path dir, String name, String cn) {
    return rsa(dir, name, cn, "localhost");
  }

  /** As {@link #rsa(Path, String, String)} with the certificate's one subject alternative name {@code DNS:dnsName}. */
  public static Pair rsa(Path dir, String name, String cn, String dnsName) {
    Pair pair = files(dir, name);
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
        "-addext", "subjectAltName=DNS:" + dnsName, "-keyout", pair.key().toString(), "-out", pair.cert().toString());
    return pair;
  }

  /** P-256 key in SEC1 form ({@code BEGIN EC PRIVATE KEY}) and its self-signed certificate. */
  public static Pair ec(Path dir, String name, String cn) {
    Pair pair = files(dir, name);
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pair.key().toString());
    openssl("req", "-x509", "-key", pair.key().toString(), "-days", "2", "-subj", "/CN=" + cn,
        "-out", pair.cert().toString());
    return pair;
  }

  /** An RSA key in PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}) and its self-signed certificate. */
  public static Pair rsaPkcs1(Path dir, String name, String cn) {
    Pair pair = files(dir, name);
    openssl("genrsa", "-traditional", "-out", pair.key().toString(), "2048");
    openssl("req", "-x509", "-key", pair.key().toString(), "-days", "2", "-subj", "/CN=" + cn,
        "-out", pair.cert().toString());
    return pair;
  }

  private static Pair files(Path dir, String name) {
    return new Pair(dir.resolve(name + "cert.pem"), dir.resolve(name + "key.pem"));
  }

  private static void openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(openssl.getInputStream().readAllBytes());
      if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
      }
    } catch (Exception e) {
      throw new IllegalStateException("openssl could not make a test certificate", e);
    }
  }
}
