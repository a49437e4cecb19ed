package io.sidecar.proxy.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sidecar.config.TlsServerSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The certificate a TLS listener serves, and its rotation without a restart: the certificate, key and client CA
 * files are watched (their contents, following symlinks, so a Kubernetes secret's symlink swap counts) and, when
 * they change, loaded, checked ({@link TlsMaterial}) and handed to the running server; handshakes from then on use them,
 * connections already open keep theirs. A set of files that does not check out (a key that is not yet the new
 * certificate's, say) leaves the previous certificate serving and is tried again at the next change, as Envoy's
 * file-based secrets do. Counted in {@code sidecar_tls_certificate_reloads_total{listener,result}}; the served
 * certificate's expiry is {@code sidecar_tls_certificate_expiry_timestamp_seconds{listener}}.
 */
public final class ListenerTls {
  /** What {@code GET /listeners} shows of a TLS listener. */
  public record Status(TlsServerSpec spec, CertificateInfo certificate, Instant loadedAt, long rotations,
                       long rejections, String lastError, Instant lastErrorAt) {}

  private final Vertx vertx;
  private final String listener;
  private final MeterRegistry registry;
  private final Clock clock;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final Counter rotations;
  private final Counter rejections;
  private final Gauge expiry;

  private volatile TlsServerSpec spec;
  private volatile TlsMaterial material;
  private volatile Instant loadedAt;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private String attemptedFiles;
  private boolean checking;
  private long timer = -1;

  private ListenerTls(Vertx vertx, String listener, TlsServerSpec spec, TlsMaterial material, String files,
                      MeterRegistry registry, Clock clock) {
    this.vertx = vertx;
    this.listener = listener;
    this.registry = registry;
    this.clock = clock;
    this.spec = spec;
    this.material = material;
    this.attemptedFiles = files;
    this.loadedAt = clock.instant();
    this.rotations = reloads("ok");
    this.rejections = reloads("rejected");
    this.expiry = Gauge.builder("sidecar_tls_certificate_expiry_timestamp_seconds", this,
            tls -> tls.material.info().notAfter().getEpochSecond())
        .description("When the certificate a TLS listener serves expires (Unix time)")
        .tag("listener", listener).register(registry);
  }

  /** Loads and checks the listener's files (off the event loop). */
  public static Future<ListenerTls> load(Vertx vertx, String listener, TlsServerSpec spec, MeterRegistry registry,
                                         Clock clock) {
    return vertx.executeBlocking(() -> {
      String files = fingerprint(spec);
      return new ListenerTls(vertx, listener, spec, loadChecked(spec), files, registry, clock);
    }, false);
  }

  /** The options a server of this listener starts with: {@code ssl} completed with certificate, versions and suites. */
  public ServerSSLOptions configure(ServerSSLOptions ssl) {
    return ServerTls.configure(ssl, spec, material);
  }

  /** A listening server of this listener (each event loop's instance registers; they share one socket). */
  public void serve(HttpServer server) {
    servers.add(server);
  }

  /** Looks at the files every {@code interval} from now on. */
  public synchronized void watch(Duration interval) {
    if (timer < 0) timer = vertx.setPeriodic(interval.toMillis(), id -> checkFiles());
  }

  /** The listener's TLS settings changed in the configuration (same address): applied to the running server. */
  public Future<Void> use(TlsServerSpec next) {
    return vertx.executeBlocking(() -> {
      String files = fingerprint(next);
      TlsMaterial loaded = loadChecked(next);
      synchronized (this) {
        attemptedFiles = files;
      }
      return loaded;
    }, false).compose(loaded -> install(next, loaded)).mapEmpty();
  }

  public synchronized void close() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
    registry.remove(rotations);
    registry.remove(rejections);
    registry.remove(expiry);
  }

  public Status status() {
    return new Status(spec, material.info(), loadedAt, (long) rotations.count(), (long) rejections.count(), lastError,
        lastErrorAt);
  }

  private void checkFiles() {
    synchronized (this) {
      if (checking) return;
      checking = true;
    }
    TlsServerSpec current = spec;
    vertx.executeBlocking(() -> {
          String files = fingerprint(current);
          synchronized (this) {
            if (files.equals(attemptedFiles)) return null;
            attemptedFiles = files;
          }
          return loadChecked(current);
        }, false)
        .compose(loaded -> loaded == null ? Future.succeededFuture() : install(current, loaded))
        .onComplete(ar -> {
          synchronized (this) {
            checking = false;
          }
          if (ar.failed()) reject(ar.cause());
        });
  }

  private Future<Boolean> install(TlsServerSpec next, TlsMaterial loaded) {
    if (servers.isEmpty()) return Future.failedFuture(new IllegalStateException("listener " + listener + " is not serving"));
    // One update reaches every instance: Vert.x shares the listening socket and its SSL context between them.
    return servers.get(0).updateSSLOptions(ServerTls.updated(next, loaded), true).onSuccess(updated -> {
      spec = next;
      material = loaded;
      loadedAt = clock.instant();
      rotations.increment();
      CertificateInfo info = loaded.info();
      System.out.println("tls: listener " + listener + " now serves " + info.subject() + " (sha256 " + info.sha256()
          + ", not after " + info.notAfter() + ")");
    });
  }

  private void reject(Throwable cause) {
    rejections.increment();
    lastError = cause instanceof TlsMaterial.Invalid invalid ? invalid.field() + ": " + invalid.getMessage()
        : String.valueOf(cause.getMessage());
    lastErrorAt = clock.instant();
    System.err.println("tls: listener " + listener + " keeps its certificate; the changed files were refused: " + lastError);
  }

  private static TlsMaterial loadChecked(TlsServerSpec spec) throws TlsMaterial.Invalid {
    return TlsMaterial.load(spec.cert(), spec.key(), spec.clientCa(), "client_ca");
  }

  private Counter reloads(String result) {
    return Counter.builder("sidecar_tls_certificate_reloads")
        .description("Certificate rotations of a TLS listener: applied (ok) or refused (rejected)")
        .tags("listener", listener, "result", result).register(registry);
  }

  /**
   * A digest of the files' contents (following symlinks): a rewrite that keeps size and modification time (cp -p, a
   * restored backup) still counts, and the files are a few KiB.
   */
  static String fingerprint(TlsServerSpec spec) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String path : new String[] {spec.cert(), spec.key(), spec.clientCa()}) {
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
