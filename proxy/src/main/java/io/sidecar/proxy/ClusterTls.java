package io.sidecar.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sidecar.config.ClusterSpec;
import io.sidecar.config.UpstreamTlsSpec;
import io.sidecar.proxy.tls.TlsMaterial;
import io.sidecar.proxy.tls.WatchedTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.net.ClientSSLOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cluster's TLS files (client certificate and key for mutual TLS, the CA its endpoints are verified against) and
 * their rotation ({@link WatchedTls}): a changed set goes to every client of the cluster, its health prober's too, so
 * new connections present the new certificate; pooled connections keep theirs until they close. Shared by the
 * cluster's snapshots while its transport settings stay.
 */
final class ClusterTls {
  private final ClusterSpec spec;
  private final WatchedTls files;
  private final List<HttpClientAgent> clients = new CopyOnWriteArrayList<>();

  private ClusterTls(ClusterSpec spec, WatchedTls files) {
    this.spec = spec;
    this.files = files;
  }

  /** Null when the cluster names no TLS file (no client certificate, no CA: the JVM's trust store). */
  static ClusterTls open(Vertx vertx, ClusterSpec spec, MeterRegistry registry) {
    UpstreamTlsSpec tls = spec.tls();
    if (tls == null || (tls.cert() == null && tls.caFile() == null)) return null;
    try {
      return new ClusterTls(spec, WatchedTls.open(vertx, new WatchedTls.Paths(tls.cert(), tls.key(), tls.caFile(), "ca"),
          Tags.of("cluster", spec.name()), registry, Clock.systemUTC()));
    } catch (TlsMaterial.Invalid e) {
      // checked when the configuration was loaded: the file changed since
      throw new IllegalStateException("clusters " + spec.name() + " tls." + e.field() + ": " + e.getMessage(), e);
    }
  }

  /** {@code client} uses the cluster's TLS files from now on, rotations included. */
  void follow(HttpClientAgent client) {
    clients.add(client);
  }

  void unfollow(HttpClientAgent client) {
    clients.remove(client);
  }

  void watch(Duration interval) {
    files.watch(interval, this::install);
  }

  WatchedTls.Status status() {
    return files.status();
  }

  void close() {
    files.close();
  }

  private Future<?> install(TlsMaterial material) {
    ClientSSLOptions options = UpstreamCluster.clientOptions(spec).getSslOptions().copy();
    if (material.keyCertOptions() != null) options.setKeyCertOptions(material.keyCertOptions());
    if (material.trustOptions() != null) options.setTrustOptions(material.trustOptions());
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpClientAgent client : clients) updates.add(client.updateSSLOptions(options, true));
    return Future.all(updates);
  }
}
