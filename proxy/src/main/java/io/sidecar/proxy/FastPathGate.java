package io.sidecar.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Opens the byte-level path of a connection once Vert.x has nothing of it left. Vert.x holds a connection's
 * requests in two cases: on a listener that also speaks h2c it announces an HTTP/1.1 connection only while it
 * dispatches the first request, which its decoder has read already; and the byte-level path hands it every request
 * it does not take itself (a cached route, an unusual head). This handler sits between the decoder and Vert.x and
 * counts, while armed, the requests decoded and the final responses written. When every request has been read to
 * its end and answered, and the decoder holds no byte of a next one, the {@link FastPathConnection} in front of the
 * decoder takes requests again and the gate disarms. It stays in the pipeline for the next hand-over: while the
 * byte-level path serves, no message passes it.
 *
 * <p>It never gives a connection back after a request the decoder rejected, or after a request or response that
 * ends the connection (RFC 9112 §9.6): Vert.x is closing it, and no byte behind such a message may be served.
 */
final class FastPathGate extends ChannelDuplexHandler {
  static final String NAME = "sidecarFastPathGate";
  private final FastPathConnection fastPath;
  private final ChannelHandler decoder;
  private boolean armed;
  private long requests;
  private long requestsRead;
  private long responses;
  /** A request was malformed or a message ended the connection: it stays Vert.x's for good. */
  private boolean ending;

  FastPathGate(FastPathConnection fastPath, ChannelHandler decoder) {
    this.fastPath = fastPath;
    this.decoder = decoder;
  }

  /** Vert.x has (or is about to get) requests of this connection: count from here. */
  void arm() {
    requests = requestsRead = responses = 0;
    ending = false;
    armed = true;
  }

  boolean armed() {
    return armed;
  }

  /** Whether the gate can work here at all (the decoder's buffer is readable). */
  static boolean supported(ChannelHandler decoder) {
    return DecoderBuffer.inspectable(decoder);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!armed) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      requests++;
      if (!HttpUtil.isKeepAlive(request)) ending = true;
    }
    if (msg instanceof DecoderResultProvider decoded && decoded.decoderResult().isFailure()) ending = true;
    boolean last = msg instanceof LastHttpContent;
    if (last) requestsRead++;
    ctx.fireChannelRead(msg);
    if (last) maybeOpen(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!armed) {
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse r && r.status().code() == 101) { // an upgrade: no HTTP/1.1 left to take
      ctx.write(msg, promise);
      armed = false;
      fastPath.leave();
      return;
    }
    boolean interim = msg instanceof HttpResponse r && r.status().code() < 200;
    if (!interim && msg instanceof HttpResponse response && !HttpUtil.isKeepAlive(response)) ending = true;
    boolean last = !interim && msg instanceof LastHttpContent;
    if (last) responses++;
    ctx.write(msg, promise);
    if (last) maybeOpen(ctx);
  }

  private void maybeOpen(ChannelHandlerContext ctx) {
    if (!armed || requests != responses || requestsRead != requests || !ctx.channel().isActive()) return;
    if (ending || ctx.pipeline().context(decoder) == null) { // closing, or the decoder is gone
      armed = false;
      fastPath.leave();
      return;
    }
    if (DecoderBuffer.holdsBytes(decoder)) return;
    armed = false;
    fastPath.open();
  }
}
