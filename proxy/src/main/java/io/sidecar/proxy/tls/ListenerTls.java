package io.sidecar.proxy.tls;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sidecar.config.TlsServerSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TLS listener's certificate, versions and suites, and its certificate rotation without a restart
 * ({@link WatchedTls}): a changed certificate, key or client CA goes to the running server (Vert.x's
 * {@code updateSSLOptions}), as does a configuration change of the listener's {@code tls} alone.
 */
public final class ListenerTls {
  /** What {@code GET /listeners} shows of a TLS listener. */
  public record Status(TlsServerSpec spec, WatchedTls.Status files) {}

  private final WatchedTls files;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private volatile TlsServerSpec spec;

  private ListenerTls(TlsServerSpec spec, WatchedTls files) {
    this.spec = spec;
    this.files = files;
  }

  /** Loads and checks the listener's files (off the event loop). */
  public static Future<ListenerTls> load(Vertx vertx, String listener, TlsServerSpec spec, MeterRegistry registry,
                                         Clock clock) {
    return vertx.executeBlocking(() -> new ListenerTls(spec,
        WatchedTls.open(vertx, paths(spec), Tags.of("listener", listener), registry, clock)), false);
  }

  /** The options a server of this listener starts with: {@code ssl} completed with certificate, versions and suites. */
  public ServerSSLOptions configure(ServerSSLOptions ssl) {
    return ServerTls.configure(ssl, spec, files.material());
  }

  /** A listening server of this listener (each event loop's instance registers; they share one socket). */
  public void serve(HttpServer server) {
    servers.add(server);
  }

  /** Serves the servers {@code previous} served (its watch closed, theirs to be taken over). */
  public void serveLike(ListenerTls previous) {
    servers.addAll(previous.servers);
  }

  /** Watches the files every {@code interval} from now on. */
  public void watch(Duration interval) {
    files.watch(interval, material -> install(spec, material));
  }

  /** The listener's TLS settings changed in the configuration (same address): applied to the running server. */
  public Future<Void> use(TlsServerSpec next) {
    return files.replace(paths(next), material -> install(next, material).onSuccess(v -> spec = next));
  }

  public Status status() {
    return new Status(spec, files.status());
  }

  public void close() {
    files.close();
  }

  private Future<Boolean> install(TlsServerSpec settings, TlsMaterial material) {
    if (servers.isEmpty()) return Future.failedFuture(new IllegalStateException("the listener is not serving"));
    // One update reaches every instance: Vert.x shares the listening socket and its SSL context between them.
    return servers.get(0).updateSSLOptions(ServerTls.updated(settings, material), true);
  }

  private static WatchedTls.Paths paths(TlsServerSpec spec) {
    return new WatchedTls.Paths(spec.cert(), spec.key(), spec.clientCa(), "client_ca");
  }
}
