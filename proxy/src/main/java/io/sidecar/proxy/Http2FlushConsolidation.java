package io.sidecar.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Coalesces the flushes of an HTTP/2 connection that happen outside its own reads into one per event-loop pass.
 *
 * <p>Vert.x flushes an HTTP/2 connection after every frame written outside a read of that connection
 * ({@code VertxHttp2ConnectionHandler.checkFlush}). A proxied response is written from the upstream connection's read,
 * so each of its frames (HEADERS, DATA, the end of the stream) went out in a system call of its own, and responses of
 * several streams of one client connection, finished in the same pass of the loop, in one call each. Netty's
 * {@link FlushConsolidationHandler} in front of the HTTP/2 handler defers such a flush to a task that runs once the
 * loop has handled the pass's reads, so all frames ready by then leave in one {@code writev}; a flush during the
 * connection's own read waits for its read-complete, as before. A client sees the same frames in the same order, a
 * few microseconds later at most (the rest of the pass). nginx and HAProxy likewise write what a pass produced once.
 * The same holds for an upstream HTTP/2 connection ({@code h2}, {@code h2c} clusters), whose requests are written from
 * the client connections' reads.
 */
final class Http2FlushConsolidation {
  static final String NAME = "sidecarHttp2Flushes";
  /** Flushes after which one goes out at once even within a pass (Netty's default). */
  private static final int EXPLICIT_FLUSH_AFTER_FLUSHES = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

  private Http2FlushConsolidation() {}

  /** In front of the HTTP/2 handler of a server or client connection; nothing for HTTP/1.x, or when it is there already. */
  static void install(HttpConnection connection) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    ChannelHandlerContext http2 = pipeline.context(Http2ConnectionHandler.class);
    if (http2 == null || pipeline.get(NAME) != null) return;
    pipeline.addBefore(http2.name(), NAME, new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER_FLUSHES, true));
  }
}
