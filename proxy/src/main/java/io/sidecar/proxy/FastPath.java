package io.sidecar.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.sidecar.config.ClusterSpec;
import io.sidecar.config.RouteSpec;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The byte-level path for plain HTTP/1.1 (see {@link FastPathConnection}): which routes it may serve, and how it
 * gets in front of Vert.x's decoder.
 */
final class FastPath {
  private FastPath() {}

  /**
   * Whether requests on a route need nothing the byte-level path lacks: no cache, header rules or host rewrite it
   * cannot apply ({@code requestRules} and {@code responseRules} did not compile: {@link HeaderRules#onBytes}), rate
   * limit, upstream idle timeout shorter than the route's or load hints (serving side), and every cluster of its
   * split speaks plain HTTP/1.1 without hedging, and the route has a timeout (long-lived streams without one take
   * the full path, whose upstream idle timeout ends them). Retries are the byte-level path's
   * ({@link FastPathExchange}), with bodies within the replay buffer replayed and larger or chunked ones streamed.
   * Decided once per config version ({@link RoutingSnapshot}); faults are looked at per request. The access log
   * writes the same line on both paths.
   */
  static boolean eligible(RouteSpec spec, java.util.List<RoutingSnapshot.SplitTarget> targets, boolean cache,
                          boolean servingSide, HeaderRules requestRules, HeaderRules responseRules) {
    if (cache || servingSide || !spec.hasTimeout() || spec.rateLimit() != null
        || !HeaderRules.onBytes(spec.requestHeaders(), spec.hostRewrite(), requestRules)
        || !HeaderRules.onBytes(spec.responseHeaders(), null, responseRules)
        || spec.idleTimeout().compareTo(spec.timeout()) < 0) {
      return false;
    }
    for (RoutingSnapshot.SplitTarget target : targets) {
      ClusterSpec cluster = target.cluster().spec();
      if (!"http1".equals(cluster.protocol()) || cluster.tls() != null || cluster.hedge() != null) return false;
    }
    return true;
  }

  /**
   * Whether the byte-level path may answer a caching route's fresh hits in memory ({@link FastPathCacheHit}): the
   * route has a cache and nothing a hit on the full path would also go through, a rate limit or response header
   * rules. A hit never reaches the upstream, so retries, hedging and the clusters' protocols do not matter.
   */
  static boolean hitsEligible(RouteSpec spec, boolean cache) {
    return cache && spec.rateLimit() == null && spec.responseHeaders().isEmpty();
  }

  /**
   * What every byte-level connection of one listener shares, resolved once when the listener starts.
   *
   * @param maxHeadBytes heads larger than this go to Vert.x's decoder, which judges each of its limits exactly
   * @param scheme       {@code https} on a TLS listener, else {@code http}: X-Forwarded-Proto and the cache key's
   *                     scheme, as the full path has them from Vert.x's request
   */
  record Listener(ProxyRuntime runtime, String name, long maxRequestBody, int maxHeadBytes,
                  ProxyMetrics.FastPathMeters meters, boolean generateRequestId, String scheme) {
    static Listener of(ProxyRuntime runtime, String name, io.sidecar.config.ServerSpec server, boolean tls) {
      return new Listener(runtime, name, server.maxRequestBody(), server.maxHeaderSize(),
          runtime.metrics().fastPath(name), server.generateRequestId(), tls ? "https" : "http");
    }
  }

  /** The name of the {@link FastPathConnection} in a connection's pipeline. */
  static final String HANDLER_NAME = "sidecarFastPath";

  /**
   * Puts a {@link FastPathConnection} in front of the HTTP/1.x decoder of a new server connection, or adopts the one
   * {@link EarlyFastPath} put there when the connection was accepted (HTTP/2 connections are left alone, and lose
   * an early one). Where Vert.x announces the connection before its first bytes, the byte-level path is open at
   * once; on a listener that also accepts h2c it announces it while dispatching the first request, and a
   * {@link FastPathGate} opens the path once Vert.x has answered everything it read. The gate stays, disarmed, to
   * bring the connection back after each later hand-over. Vert.x has no public hook below its HTTP objects, so
   * this reaches into its internal connection type for the channel pipeline.
   */
  static void install(HttpConnection connection, Listener listener) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    FastPathConnection early = (FastPathConnection) pipeline.get(HANDLER_NAME);
    if (!(connection instanceof Http1xServerConnection)) {
      if (early != null) early.leave();
      return;
    }
    ChannelHandler decoder = pipeline.get("httpDecoder");
    if (decoder == null) {
      if (early != null) early.leave();
      return;
    }
    boolean firstRequestRead = pipeline.get("h2c") != null;
    boolean gated = FastPathGate.supported(decoder) && pipeline.get("handler") != null;
    FastPathConnection fastPath = early != null ? early : new FastPathConnection(listener);
    if (early == null) {
      if (firstRequestRead && !gated) return;
      pipeline.addBefore("httpDecoder", HANDLER_NAME, fastPath);
      DownstreamIdleTimeout.takeOver(pipeline);
    }
    fastPath.announced();
    if (gated) {
      FastPathGate gate = new FastPathGate(fastPath, decoder);
      pipeline.addBefore("handler", FastPathGate.NAME, gate);
      fastPath.gate(gate);
      if (firstRequestRead && !fastPath.isOpen()) gate.arm();
    } else if (early != null && !fastPath.isOpen()) {
      early.leave(); // Vert.x has the connection, and nothing would give it back
      return;
    }
    if (!firstRequestRead) fastPath.open();
  }
}
