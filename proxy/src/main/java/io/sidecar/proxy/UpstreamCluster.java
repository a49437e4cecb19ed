package io.sidecar.proxy;

import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.Endpoint;
import io.sidecar.config.ClusterSpec;
import io.sidecar.config.HostPort;
import io.sidecar.config.UpstreamTlsSpec;
import io.vertx.core.Future;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's live side: its pooled keep-alive HTTP clients (one per event loop, {@link LoopLocalClients}) and
 * its {@link ClusterBalancer} (endpoints, their statistics, breaker, outlier detection). Survives a config swap
 * when its transport settings (pool, TLS, protocol) are unchanged; the balancer is reconfigured in place, so
 * endpoint state survives while addresses stay.
 */
public final class UpstreamCluster {
  private final ClusterSpec spec;
  private final LoopLocalClients clients;
  private final RawUpstreamPool rawPool;
  private final ClusterBalancer balancer;
  private final ConcurrentHashMap<String, HostPort> addresses;
  private final UpstreamSignals signals;
  private final ClusterTls tls;

  private UpstreamCluster(ClusterSpec spec, LoopLocalClients clients, RawUpstreamPool rawPool, ClusterBalancer balancer,
                          ConcurrentHashMap<String, HostPort> addresses, UpstreamSignals signals, ClusterTls tls) {
    this.spec = spec;
    this.tls = tls;
    this.clients = clients;
    this.rawPool = rawPool;
    this.balancer = balancer;
    this.addresses = addresses;
    this.signals = signals;
  }

  /** {@code registry}: for the TLS files' rotation meters. */
  public static UpstreamCluster create(Vertx vertx, ClusterSpec spec, MeterRegistry registry) {
    ClusterBalancer balancer = ClusterBalancer.create(spec.name(), BalancerSettings.of(spec), BalancerSettings.endpoints(spec));
    LoopLocalClients clients = new LoopLocalClients(vertx, clientOptions(spec), poolOptions(spec));
    ClusterTls tls = ClusterTls.open(vertx, spec, registry);
    if (tls != null) {
      clients.all().forEach(tls::follow);
      tls.watch(DataPlane.CERTIFICATE_WATCH_INTERVAL);
    }
    return new UpstreamCluster(spec, clients, new RawUpstreamPool(spec.name(), clients.size()), balancer,
        new ConcurrentHashMap<>(), new UpstreamSignals(spec.name()), tls);
  }

  static HttpClientOptions clientOptions(ClusterSpec spec) {
    HttpClientOptions options = new HttpClientOptions()
        .setName("cluster-" + spec.name())
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setConnectTimeout(millis(spec.pool().connectTimeout()))
        .setKeepAliveTimeout(seconds(spec.pool().idleTimeout()))
        .setIdleTimeout(seconds(spec.pool().idleTimeout()))
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxHeaderSize(64 * 1024)
        // Larger body chunks: fewer buffers, fewer writes and flushes downstream per response (8 KiB default).
        .setMaxChunkSize(64 * 1024)
        .setDecompressionSupported(false);
    switch (spec.protocol()) {
      case "h2" -> options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
      case "h2c" -> options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
      default -> options.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    UpstreamTlsSpec tls = spec.tls();
    if (tls != null) {
      options.setSsl(true).setVerifyHost(tls.verify()).setTrustAll(!tls.verify()).setForceSni(tls.sni() != null);
      if (OpenSSLEngineOptions.isAvailable()) options.setSslEngineOptions(new OpenSSLEngineOptions());
      if (tls.caFile() != null) options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
      if (tls.cert() != null) options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert()).setKeyPath(tls.key()));
    }
    return options;
  }

  static PoolOptions poolOptions(ClusterSpec spec) {
    return new PoolOptions()
        .setHttp1MaxSize(spec.pool().maxConnections())
        .setHttp2MaxSize(Math.max(1, Math.min(spec.pool().maxConnections(), 8)))
        .setMaxWaitQueueSize(spec.pool().maxPending())
        // Vert.x hands out a pooled connection past its keep-alive expiry until this cleaner evicts it (1 s by
        // default): see KeepAliveMargin
        .setCleanerPeriod(KeepAliveMargin.POOL_CLEANER_PERIOD_MS);
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  public ClusterSpec spec() { return spec; }
  /** The TLS server name requests to this cluster's endpoints use ({@code tls.sni}), or null. */
  public String tlsServerName() { return spec.tls() == null ? null : spec.tls().sni(); }
  /** The calling event loop's client of this cluster. */
  public HttpClient client() { return clients.current(); }
  /** Whether {@code other} shares this cluster's clients (it survived a reload). */
  boolean sharesClientsWith(UpstreamCluster other) { return clients == other.clients; }
  public ClusterBalancer balancer() { return balancer; }
  /** The cluster's TLS files in service and their rotations; null when it names none. */
  ClusterTls tls() { return tls; }
  /** The TLS files' status for the control API; null when the cluster names none. */
  public io.sidecar.proxy.tls.WatchedTls.Status tlsStatus() { return tls == null ? null : tls.status(); }
  /** The byte-level path's connections ({@link FastPathExchange}). */
  RawUpstreamPool rawPool() { return rawPool; }
  public String name() { return spec.name(); }
  /** Per-try signals of this cluster and its endpoints. */
  UpstreamSignals signals() { return signals; }

  /** The parsed form of a balancer address ("host:port"), parsed once per address. */
  HostPort address(String address) {
    return addresses.computeIfAbsent(address, HostPort::parse);
  }

  /** Whether {@code next} can keep this cluster's clients (only endpoints and non-transport fields differ). */
  public boolean sameTransport(ClusterSpec next) {
    return Objects.equals(spec.pool(), next.pool()) && Objects.equals(spec.tls(), next.tls())
        && spec.protocol().equals(next.protocol());
  }

  /** This cluster with {@code next}'s settings: same clients, balancer reconfigured keeping its state. */
  public UpstreamCluster withSpec(ClusterSpec next) {
    balancer.reconfigure(BalancerSettings.of(next));
    balancer.updateEndpoints(BalancerSettings.endpoints(next));
    return new UpstreamCluster(next, clients, rawPool, balancer, addresses, signals, tls);
  }

  /** Replaces the endpoint set; endpoints whose address stays keep their statistics. */
  public void replaceEndpoints(List<Endpoint> next) {
    balancer.updateEndpoints(next);
  }

  /** Closes the clients after in-flight requests had {@code grace} to finish. */
  public Future<Void> close(Duration grace) {
    rawPool.close();
    if (tls != null) tls.close();
    return clients.shutdown(grace.toMillis());
  }
}
