package io.sidecar.proxy.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * The PEM bytes of a certificate chain, its private key and optionally CA certificates, read once and checked: the
 * chain parses, the key parses the way Vert.x will read it, and the key belongs to the chain's first certificate.
 * Serving from these bytes (not from the paths) means a file rewritten after the check cannot slip in unchecked.
 */
public final class TlsMaterial {
  private final Buffer certChain;
  private final Buffer key;
  private final Buffer ca;
  private final CertificateInfo info;

  private TlsMaterial(Buffer certChain, Buffer key, Buffer ca, CertificateInfo info) {
    this.certChain = certChain;
    this.key = key;
    this.ca = ca;
    this.info = info;
  }

  /** A field of the configuration ({@code cert}, {@code key}, {@code client_ca} / {@code ca}) and what is wrong with it. */
  public static final class Invalid extends Exception {
    private final String field;

    Invalid(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** Reads and checks the files of {@code paths}; blocking (file reads, one signature). */
  public static TlsMaterial load(WatchedTls.Paths paths) throws Invalid {
    return load(paths.cert(), paths.key(), paths.ca(), paths.caField());
  }

  /**
   * Reads and checks the files: a certificate chain and its key (both null for CA certificates only) and CA
   * certificates ({@code caPath}, may be null; {@code caField} names it in errors). Blocking.
   */
  public static TlsMaterial load(String certPath, String keyPath, String caPath, String caField) throws Invalid {
    Buffer ca = caPath == null ? null : checkTrusted(caPath, caField);
    if (certPath == null && keyPath == null) return new TlsMaterial(null, null, ca, null);
    Buffer cert = read("cert", certPath);
    Buffer key = read("key", keyPath);
    List<X509Certificate> chain = certificates("cert", cert);
    PrivateKey privateKey = privateKey(cert, key);
    X509Certificate leaf = chain.get(0);
    checkPair(privateKey, leaf);
    return new TlsMaterial(cert, key, ca, CertificateInfo.of(leaf));
  }

  /** Reads a file of trusted (CA) certificates and checks that it gives a trust manager; returns its bytes. */
  public static Buffer checkTrusted(String path, String field) throws Invalid {
    Buffer ca = read(field, path);
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (X509Certificate c : certificates(field, ca)) trusted.setCertificateEntry("ca-" + i++, c);
      TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init(trusted);
    } catch (GeneralSecurityException | IOException e) {
      throw new Invalid(field, "not usable as trusted certificates: " + message(e));
    }
    return ca;
  }

  /** Null with CA certificates only. */
  public PemKeyCertOptions keyCertOptions() {
    return certChain == null ? null : new PemKeyCertOptions().setCertValue(certChain).setKeyValue(key);
  }

  /** Null when no CA file was given. */
  public PemTrustOptions trustOptions() {
    return ca == null ? null : new PemTrustOptions().addCertValue(ca);
  }

  /** The certificate's description; null with CA certificates only. */
  public CertificateInfo info() {
    return info;
  }

  private static Buffer read(String field, String path) throws Invalid {
    try {
      return Buffer.buffer(Files.readAllBytes(Path.of(path)));
    } catch (IOException | RuntimeException e) {
      throw new Invalid(field, "cannot read '" + path + "': " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(String field, Buffer pem) throws Invalid {
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes()))) {
        if (c instanceof X509Certificate x509) out.add(x509);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new Invalid(field, "not a PEM certificate: " + e.getMessage());
    }
    if (out.isEmpty()) throw new Invalid(field, "no PEM certificate in the file");
    return out;
  }

  /** The key as Vert.x will load it (PKCS#8, PKCS#1 RSA or SEC1 EC PEM); the chain lets its KeyStore take the pair. */
  private static PrivateKey privateKey(Buffer cert, Buffer key) throws Invalid {
    try {
      // Values only: Vert.x resolves no path, so it needs no Vertx instance here (and parses once per options).
      PemKeyCertOptions pair = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
      String alias = pair.loadKeyStore(null).aliases().nextElement();
      return ((X509KeyManager) pair.getKeyManagerFactory(null).getKeyManagers()[0]).getPrivateKey(alias);
    } catch (Exception e) {
      throw new Invalid("key", "cannot be used with the certificate: " + message(e));
    }
  }

  /** Signs with the key and verifies with the certificate: the only check that a key of the right type is the right key. */
  private static void checkPair(PrivateKey key, X509Certificate leaf) throws Invalid {
    PublicKey publicKey = leaf.getPublicKey();
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      throw new Invalid("key", "is a " + key.getAlgorithm() + " key, the certificate ("
          + leaf.getSubjectX500Principal().getName() + ") holds a " + publicKey.getAlgorithm() + " key");
    }
    String algorithm = signatureAlgorithm(publicKey.getAlgorithm());
    if (algorithm == null) return; // a key type without a probe here: the TLS library checks it when it loads it
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      if (verifier.verify(signature)) return;
    } catch (GeneralSecurityException e) {
      throw new Invalid("key", "cannot be checked against the certificate: " + e.getMessage());
    }
    throw new Invalid("key", "does not match the certificate (" + leaf.getSubjectX500Principal().getName() + ")");
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    switch (keyAlgorithm) {
      case "RSA": return "SHA256withRSA";
      case "EC": return "SHA256withECDSA";
      case "Ed25519": case "EdDSA": return "Ed25519";
      default: return null;
    }
  }

  private static String message(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
