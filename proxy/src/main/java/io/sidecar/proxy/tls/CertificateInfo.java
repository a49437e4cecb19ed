package io.sidecar.proxy.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** What an operator needs to know of a served certificate: whose it is, until when, and which one exactly. */
public record CertificateInfo(String subject, List<String> subjectAltNames, String issuer, Instant notBefore,
                              Instant notAfter, String sha256) {

  static CertificateInfo of(X509Certificate leaf) {
    return new CertificateInfo(leaf.getSubjectX500Principal().getName(), altNames(leaf),
        leaf.getIssuerX500Principal().getName(), leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(),
        fingerprint(leaf));
  }

  private static List<String> altNames(X509Certificate leaf) {
    List<String> out = new ArrayList<>();
    try {
      if (leaf.getSubjectAlternativeNames() != null) {
        leaf.getSubjectAlternativeNames().forEach(entry -> out.add(String.valueOf(entry.get(1))));
      }
    } catch (CertificateParsingException e) {
      // an unparsable extension: the names are only informative
    }
    return List.copyOf(out);
  }

  private static String fingerprint(X509Certificate leaf) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "";
    }
  }
}
