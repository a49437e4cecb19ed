package io.sidecar.proxy.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * TLS files in service (a certificate and its key, trusted CA certificates, or both) and their rotation without a
 * restart: the files are watched (their contents, following symlinks, so a Kubernetes secret's symlink swap counts)
 * and, when they change, loaded, checked ({@link TlsMaterial}) and handed to an {@link Installer} that puts them
 * into the server's or clients' SSL options; handshakes from then on use them, connections already open keep theirs.
 * A set of files that does not check out (a key that is not yet the new certificate's, say) leaves the previous one
 * in service and is tried again at the next change, as Envoy's file-based secrets do. Counted in
 * {@code sidecar_tls_certificate_reloads_total{<owner>,result}}; the certificate's expiry is
 * {@code sidecar_tls_certificate_expiry_timestamp_seconds{<owner>}}.
 */
public final class WatchedTls {
  /** Where the files are: {@code cert} and {@code key} go together and may both be null; {@code caField} names the CA. */
  public record Paths(String cert, String key, String ca, String caField) {}

  /** What the control API shows: the certificate in service (null with CA files only) and the rotations. */
  public record Status(CertificateInfo certificate, Instant loadedAt, long rotations, long rejections, String lastError,
                       Instant lastErrorAt) {}

  /** Puts checked files into service. */
  @FunctionalInterface
  public interface Installer {
    Future<?> install(TlsMaterial material);
  }

  private final Vertx vertx;
  private final String owner;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Counter rotations;
  private final Counter rejections;
  private final Gauge expiry;

  private volatile Paths paths;
  private volatile TlsMaterial material;
  private volatile Instant loadedAt;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private String attempted;
  private boolean checking;
  private long timer = -1;

  /**
   * Loads and checks the files now (blocking: a few small reads and one signature). {@code tags} name the owner in
   * the metrics, e.g. {@code listener=inbound}.
   */
  public static WatchedTls open(Vertx vertx, Paths paths, Tags tags, MeterRegistry registry, Clock clock)
      throws TlsMaterial.Invalid {
    String files = fingerprint(paths);
    return new WatchedTls(vertx, paths, TlsMaterial.load(paths), files, tags, registry, clock);
  }

  private WatchedTls(Vertx vertx, Paths paths, TlsMaterial material, String files, Tags tags, MeterRegistry registry,
                     Clock clock) {
    this.vertx = vertx;
    this.owner = tags.stream().map(t -> t.getKey() + " " + t.getValue()).findFirst().orElse("tls");
    this.registry = registry;
    this.clock = clock;
    this.paths = paths;
    this.material = material;
    this.attempted = files;
    this.loadedAt = clock.instant();
    this.rotations = reloads(tags, "ok");
    this.rejections = reloads(tags, "rejected");
    this.expiry = material.info() == null ? null
        : Gauge.builder("sidecar_tls_certificate_expiry_timestamp_seconds", this, WatchedTls::notAfterSeconds)
            .description("When the certificate a TLS listener serves, or a cluster presents, expires (Unix time)")
            .tags(tags).register(registry);
  }

  public TlsMaterial material() {
    return material;
  }

  /** Looks at the files every {@code interval} from now on; a changed set that checks out goes to {@code installer}. */
  public synchronized void watch(Duration interval, Installer installer) {
    if (timer < 0) timer = vertx.setPeriodic(interval.toMillis(), id -> check(installer));
  }

  /** Other paths (a configuration change): loaded, checked and installed, or the returned future fails. */
  public Future<Void> replace(Paths next, Installer installer) {
    return vertx.executeBlocking(() -> {
      String files = fingerprint(next);
      TlsMaterial loaded = TlsMaterial.load(next);
      synchronized (this) {
        attempted = files;
      }
      return loaded;
    }, false).compose(loaded -> install(next, loaded, installer)).mapEmpty();
  }

  public Status status() {
    return new Status(material.info(), loadedAt, (long) rotations.count(), (long) rejections.count(), lastError,
        lastErrorAt);
  }

  public synchronized void close() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
    registry.remove(rotations);
    registry.remove(rejections);
    if (expiry != null) registry.remove(expiry);
  }

  private void check(Installer installer) {
    synchronized (this) {
      if (checking) return;
      checking = true;
    }
    Paths current = paths;
    vertx.executeBlocking(() -> {
          String files = fingerprint(current);
          synchronized (this) {
            if (files.equals(attempted)) return null;
            attempted = files;
          }
          return TlsMaterial.load(current);
        }, false)
        .compose(loaded -> loaded == null ? Future.succeededFuture() : install(current, loaded, installer))
        .onComplete(ar -> {
          synchronized (this) {
            checking = false;
          }
          if (ar.failed()) reject(ar.cause());
        });
  }

  private Future<?> install(Paths next, TlsMaterial loaded, Installer installer) {
    return installer.install(loaded).onSuccess(v -> {
      paths = next;
      material = loaded;
      loadedAt = clock.instant();
      rotations.increment();
      CertificateInfo info = loaded.info();
      System.out.println("tls: " + owner + " now uses " + (info == null ? "the new CA certificates"
          : info.subject() + " (sha256 " + info.sha256() + ", not after " + info.notAfter() + ")"));
    });
  }

  private void reject(Throwable cause) {
    rejections.increment();
    lastError = cause instanceof TlsMaterial.Invalid invalid ? invalid.field() + ": " + invalid.getMessage()
        : String.valueOf(cause.getMessage());
    lastErrorAt = clock.instant();
    System.err.println("tls: " + owner + " keeps its files in service; the changed ones were refused: " + lastError);
  }

  private double notAfterSeconds() {
    CertificateInfo info = material.info();
    return info == null ? Double.NaN : info.notAfter().getEpochSecond();
  }

  private Counter reloads(Tags tags, String result) {
    return Counter.builder("sidecar_tls_certificate_reloads")
        .description("TLS file rotations of a listener or cluster: applied (ok) or refused (rejected)")
        .tags(tags).tag("result", result).register(registry);
  }

  /**
   * A digest of the files' contents (following symlinks): a rewrite that keeps size and modification time (cp -p, a
   * restored backup) still counts, and the files are a few KiB.
   */
  static String fingerprint(Paths paths) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String path : new String[] {paths.cert(), paths.key(), paths.ca()}) {
        if (path == null) continue;
        try {
          digest.update(Files.readAllBytes(Path.of(path)));
        } catch (IOException e) {
          digest.update(("missing " + path).getBytes(StandardCharsets.UTF_8));
        }
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
