package io.sidecar.proxy;

import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.health.HealthCheckConfig;
import io.sidecar.balancer.health.ProbeResult;
import io.sidecar.config.ClusterSpec;
import io.sidecar.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends a cluster's active HTTP health checks: {@code GET path} with the configured Host (the cluster's name by
 * default, as Envoy) to every endpoint whose check the {@link ClusterBalancer} says is due, and reports each result
 * back to it. All decisions (when, what passes, healthy or not) are the balancer's; this class only does I/O, driven by
 * a one-shot timer set to the next due check. It is a verticle of its own so that its timers and client belong to
 * its deployment (not to whichever verticle's thread applied the config) and undeploying it releases both.
 *
 * <p>Probes go over their own small keep-alive client (one connection per endpoint, Envoy's
 * {@code reuse_connection}) with the cluster's transport settings, so TLS clusters are probed over TLS and probes
 * never queue behind traffic in the cluster's pool. A probe that has not answered within the timeout is reported as
 * a timeout and its request reset, which closes an HTTP/1.1 connection (as Envoy closes it).
 */
final class HealthProber extends VerticleBase {
  /** Longest sleep between looks at the schedule, so endpoints added at run time are probed soon. */
  private static final long MAX_SLEEP_MS = 1_000;
  static final String USER_AGENT = "sidecar-health-check";

  private final ClusterSpec spec;
  private final ClusterBalancer balancer;
  private final ClusterTls tls;
  private HttpClientAgent client;
  private boolean stopped;
  private long timerId = -1;

  /**
   * Probes {@code balancer}'s endpoints once deployed; the first checks go out at once. {@code tls}: the cluster's TLS
   * files, whose rotations the probe client follows (null without).
   */
  HealthProber(ClusterSpec spec, ClusterBalancer balancer, ClusterTls tls) {
    this.spec = spec;
    this.balancer = balancer;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    HttpClientOptions options = UpstreamCluster.clientOptions(spec).setName("health-" + spec.name());
    client = vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(1).setHttp2MaxSize(1)
        .setCleanerPeriod(KeepAliveMargin.POOL_CLEANER_PERIOD_MS))
        .withConnectHandler(c -> UpstreamConnectionSetup.forProbes(c, options)).build();
    if (tls != null) tls.follow(client);
    tick();
    return Future.succeededFuture();
  }

  /** Cancels the timer and closes the probe client: probes in flight are abandoned, their results dropped. */
  @Override
  public Future<?> stop() {
    stopped = true;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    if (tls != null) tls.unfollow(client);
    return client.shutdown(0, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    if (stopped) return;
    HealthCheckConfig config = balancer.healthCheckConfig();
    if (config.enabled()) {
      for (String address : balancer.startDueHealthChecks()) {
        probe(address, config);
      }
    }
    schedule();
  }

  /** (Re)arms the timer for the next due check. Everything here runs on the verticle's context. */
  private void schedule() {
    if (stopped) return;
    if (timerId >= 0) vertx.cancelTimer(timerId);
    long nanos = balancer.nanosUntilNextHealthCheck();
    long ms = nanos == Long.MAX_VALUE ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, TimeUnit.NANOSECONDS.toMillis(nanos) + 1);
    timerId = vertx.setTimer(Math.max(1, ms), id -> tick());
  }

  private void probe(String address, HealthCheckConfig config) {
    HostPort endpoint = HostPort.parse(address);
    long timeoutMs = Math.max(1, config.timeout().toMillis());
    RequestOptions options = UpstreamRequests.target(new RequestOptions(), endpoint,
            spec.tls() == null ? null : spec.tls().sni())
        .setMethod(HttpMethod.GET)
        .setURI(config.path())
        .setConnectTimeout(timeoutMs)
        // backstop only: the timer below decides the timeout
        .setIdleTimeout(2 * timeoutMs)
        .putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (done.compareAndSet(false, true)) {
        HttpClientRequest request = sent.get();
        if (request != null) request.reset();
        report(address, ProbeResult.timeout());
      }
    });
    String host = config.host() != null ? config.host() : spec.name();
    HostAndPort parsed = HostAndPort.parseAuthority(host, -1);
    HostAndPort authority = parsed != null ? parsed : HostAndPort.create(host, -1);
    client.request(options)
        .compose(request -> {
          request.authority(authority);
          sent.set(request);
          if (done.get()) {
            request.exceptionHandler(ignored -> { });
            request.reset();
            return Future.failedFuture("timed out");
          }
          return request.send();
        })
        // read the body to the end so the connection goes back to the pool
        .compose(response -> response.end().map(v -> response.statusCode()))
        .onComplete(ar -> {
          if (!done.compareAndSet(false, true)) return;
          vertx.cancelTimer(timer);
          report(address, ar.succeeded() ? ProbeResult.status(ar.result())
              : ProbeResult.networkFailure(String.valueOf(ar.cause().getMessage())));
        });
  }

  private void report(String address, ProbeResult result) {
    if (stopped) return;
    balancer.onHealthCheckResult(address, result);
    // the endpoint's next check is now scheduled: wake up for it rather than at the longest sleep
    schedule();
  }
}
