package io.sidecar.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.sidecar.proxy.http1.KeepAliveField;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The full path's and the health probes' share of {@link FastPathUpstream#idleNanos}: Vert.x's client keeps a pooled connection for the
 * timeout the upstream announced in its Keep-Alive field ({@code timeout=N}, seconds) and no longer, but up to the
 * very moment the upstream closes it, so a request sent then was lost with the connection (a POST got 502 {@code UR}:
 * 28 of 100 POSTs sent every second to an upstream closing at exactly its announced second). Right behind the codec,
 * this lowers the announced timeout by a second before Vert.x reads it, for N of 2 or more. (The field is hop-by-hop
 * and never forwarded. Vert.x counts whole seconds and reads 0 as "no limit", so N = 1 stays as it is; the byte-level
 * path closes such a connection after half a second.) Vert.x's pool does not look at a connection's expiry when it
 * hands it out: a cleaner evicts expired connections every {@link #POOL_CLEANER_PERIOD_MS} (1 s by default, which
 * could eat the whole margin), so a connection goes out of service between N − 1 and N − 0.75 s.
 *
 * <p>Vert.x 5.0.7's reading of the field takes only the digits 0 to 8 ({@code HttpUtils.parseKeepAliveHeaderTimeout}
 * tests {@code ch < '9'}): a timeout with a 9 in it was ignored and the pool's own {@code idle_timeout} (60 s) used,
 * so an upstream announcing 9, 19 or 90 seconds lost requests that way too. The value written here has no 9: the
 * largest such number below the announced one.
 */
final class KeepAliveMargin extends ChannelInboundHandlerAdapter {
  static final String NAME = "sidecar-keep-alive-margin";
  /** The clusters' Vert.x pools evict expired connections this often (PoolOptions' cleaner period). */
  static final int POOL_CLEANER_PERIOD_MS = 250;

  /** Behind the HTTP/1.x codec of an upstream connection Vert.x has just opened; nothing for HTTP/2. */
  static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) return;
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get("codec") != null && pipeline.get(NAME) == null) pipeline.addAfter("codec", NAME, new KeepAliveMargin());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response) {
      String keepAlive = response.headers().get(HttpHeaderNames.KEEP_ALIVE);
      long seconds = keepAlive == null ? -1 : KeepAliveField.timeoutSeconds(keepAlive);
      if (seconds >= 2) response.headers().set(HttpHeaderNames.KEEP_ALIVE, "timeout=" + forVertx(seconds));
    }
    ctx.fireChannelRead(msg);
  }

  /** What Vert.x is told for an announced {@code seconds} (2 or more): a second less, without a digit 9. */
  static long forVertx(long seconds) {
    long lowered = seconds - 1;
    while (Long.toString(lowered).indexOf('9') >= 0) lowered--;
    return lowered;
  }
}
