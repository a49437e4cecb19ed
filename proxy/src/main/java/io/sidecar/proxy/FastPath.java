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
   * Whether a request on {@code route} needs nothing the byte-level path lacks: no retries, cache, header rules,
   * host rewrite, upstream idle timeout shorter than the route's, load hints (serving side) or access log; and
   * every cluster of its split speaks plain HTTP/1.1 without hedging. Faults are decided per request
   * ({@link FastPathConnection}): one that fires sends its request to the full path.
   */
  static boolean eligible(RoutingSnapshot.CompiledRoute route, ProxyRuntime runtime) {
    RouteSpec spec = route.spec();
    if (route.retry() != null || route.cache() != null || route.servingSide() || spec.hostRewrite() != null
        || !spec.requestHeaders().isEmpty() || !spec.responseHeaders().isEmpty()
        || spec.idleTimeout().compareTo(spec.timeout()) < 0 || runtime.accessLog() != null) {
      return false;
    }
    var targets = route.targets();
    for (int i = 0; i < targets.size(); i++) {
      ClusterSpec cluster = targets.get(i).cluster().spec();
      if (!"http1".equals(cluster.protocol()) || cluster.tls() != null || cluster.hedge() != null) return false;
    }
    return true;
  }

  /**
   * Puts a {@link FastPathConnection} in front of the HTTP/1.x decoder of a new server connection (HTTP/2
   * connections are left alone). Where Vert.x announces the connection before its first bytes, the byte-level path
   * is open at once; on a listener that also accepts h2c it announces it while dispatching the first request, and
   * a {@link FastPathGate} opens the path once Vert.x has answered everything it read. This reaches into Vert.x's
   * internal connection type, the one place the sidecar does: Vert.x has no public hook below its HTTP objects.
   */
  static void install(HttpConnection connection, ProxyRuntime runtime, String listener, long maxRequestBody,
                      int maxHeadBytes) {
    if (!(connection instanceof Http1xServerConnection http1)) return;
    ChannelPipeline pipeline = ((ConnectionBase) http1).channelHandlerContext().pipeline();
    ChannelHandler decoder = pipeline.get("httpDecoder");
    if (decoder == null) return;
    FastPathConnection fastPath = new FastPathConnection(runtime, listener, maxRequestBody, maxHeadBytes);
    boolean firstRequestRead = pipeline.get("h2c") != null;
    if (!firstRequestRead) {
      pipeline.addBefore("httpDecoder", "sidecarFastPath", fastPath);
      fastPath.open();
    } else if (FastPathGate.supported(decoder) && pipeline.get("handler") != null) {
      pipeline.addBefore("httpDecoder", "sidecarFastPath", fastPath);
      pipeline.addBefore("handler", "sidecarFastPathGate", new FastPathGate(fastPath, decoder));
    }
  }
}
