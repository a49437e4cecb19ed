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
 * How long a pooled upstream connection may rest when the upstream announced how long it keeps it idle
 * ({@code Keep-Alive: timeout=N}, seconds; Node and Apache send 5, Tomcat 20): a second less, or half of it when N is
 * 2 or less ({@link #idleNanos}). The upstream closes an idle connection at its own timeout, and a request sent on it
 * just then is lost with it: a GET is sent again, a POST got 502 {@code UR} (15 of 50 POSTs sent every 2 s to an
 * upstream closing at exactly its announced 2 s, `loadtest/probes/keepalive_race.sh`). The byte-level path applies
 * the rule itself ({@link FastPathUpstream}).
 *
 * <p>As a handler right behind the codec of the Vert.x client's connections (full path, cache fetches, health
 * probes), it tells Vert.x the lowered timeout in the field before Vert.x reads it. The field is hop-by-hop and never
 * forwarded. Vert.x counts whole seconds and reads 0 as "no limit", so N = 1 stays as it is there. Vert.x's pool does
 * not look at a connection's expiry when it hands it out: a cleaner evicts expired connections every
 * {@link #POOL_CLEANER_PERIOD_MS} (1 s by default, which could eat the whole margin), so a connection goes out of
 * service between N − 1 and N − 0.75 s.
 *
 * <p>Vert.x 5.0.7's reading of the field takes only the digits 0 to 8 ({@code HttpUtils.parseKeepAliveHeaderTimeout}
 * tests {@code ch < '9'}): a timeout with a 9 in it was ignored and the pool's own {@code idle_timeout} (60 s) used,
 * so an upstream announcing 9, 19 or 90 seconds lost requests that way too. The value written here has no 9: the
 * largest such number below the lowered one.
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

  /**
   * How long a connection may rest in the pool after a response: {@code poolIdleNanos}, but less than the upstream's
   * announced {@code keepAliveTimeoutSeconds} (-1: none) by a second, or by half of it when that is 2 s or less.
   */
  static long idleNanos(long poolIdleNanos, long keepAliveTimeoutSeconds) {
    if (keepAliveTimeoutSeconds < 0) return poolIdleNanos;
    long upstreamNanos = keepAliveTimeoutSeconds * 1_000_000_000L;
    long margin = Math.min(1_000_000_000L, upstreamNanos / 2);
    return Math.min(poolIdleNanos, upstreamNanos - margin);
  }

  /** What Vert.x is told for an announced {@code seconds} (2 or more): {@link #idleNanos}'s whole seconds, no 9. */
  static long forVertx(long seconds) {
    long lowered = idleNanos(Long.MAX_VALUE, seconds) / 1_000_000_000L;
    while (Long.toString(lowered).indexOf('9') >= 0) lowered--;
    return lowered;
  }
}
