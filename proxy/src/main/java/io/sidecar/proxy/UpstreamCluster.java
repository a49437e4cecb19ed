package io.sidecar.proxy;

import io.sidecar.config.ClusterSpec;
import io.sidecar.config.HostPort;
import io.sidecar.config.UpstreamTlsSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's live side: its pooled keep-alive HTTP client and its endpoints. Survives a config swap when its
 * transport settings (pool, TLS, protocol) are unchanged; endpoint objects survive while their address does.
 */
public final class UpstreamCluster {
  private final ClusterSpec spec;
  private final HttpClient client;
  private final EndpointPicker picker = new RoundRobinPicker();
  private volatile List<Endpoint> endpoints;

  private UpstreamCluster(ClusterSpec spec, HttpClient client, List<Endpoint> endpoints) {
    this.spec = spec;
    this.client = client;
    this.endpoints = endpoints;
  }

  public static UpstreamCluster create(Vertx vertx, ClusterSpec spec) {
    List<Endpoint> endpoints = new ArrayList<>();
    spec.endpoints().forEach(e -> endpoints.add(new Endpoint(e.address(), e.weight())));
    return new UpstreamCluster(spec, vertx.createHttpClient(clientOptions(spec), poolOptions(spec)), List.copyOf(endpoints));
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
        .setDecompressionSupported(false);
    switch (spec.protocol()) {
      case "h2" -> options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
      case "h2c" -> options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
      default -> options.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    UpstreamTlsSpec tls = spec.tls();
    if (tls != null) {
      options.setSsl(true).setVerifyHost(tls.verify()).setTrustAll(!tls.verify());
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
        .setMaxWaitQueueSize(spec.pool().maxPending());
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  public ClusterSpec spec() { return spec; }
  public HttpClient client() { return client; }
  public List<Endpoint> endpoints() { return endpoints; }
  public String name() { return spec.name(); }

  public Endpoint pick(List<Endpoint> tried) {
    return picker.pick(endpoints, tried);
  }

  /** Whether {@code next} can keep this cluster's client (only endpoints and non-transport fields differ). */
  public boolean sameTransport(ClusterSpec next) {
    return Objects.equals(spec.pool(), next.pool()) && Objects.equals(spec.tls(), next.tls())
        && spec.protocol().equals(next.protocol());
  }

  /** A cluster that shares this one's client and endpoint state but takes {@code next}'s settings. */
  public UpstreamCluster withSpec(ClusterSpec next) {
    UpstreamCluster updated = new UpstreamCluster(next, client, endpoints);
    updated.replaceEndpoints(next.endpoints().stream().map(e -> new Endpoint(e.address(), e.weight())).toList());
    return updated;
  }

  /** Replaces the endpoint set; endpoints whose address stays keep their counters. */
  public void replaceEndpoints(List<Endpoint> next) {
    Map<HostPort, Endpoint> current = new HashMap<>();
    endpoints.forEach(e -> current.put(e.address(), e));
    List<Endpoint> merged = new ArrayList<>();
    for (Endpoint e : next) {
      Endpoint kept = current.get(e.address());
      if (kept != null) {
        kept.weight(e.weight());
        merged.add(kept);
      } else {
        merged.add(e);
      }
    }
    endpoints = List.copyOf(merged);
  }

  /** Closes the client after in-flight requests had {@code grace} to finish. */
  public Future<Void> close(Duration grace) {
    return client.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}
