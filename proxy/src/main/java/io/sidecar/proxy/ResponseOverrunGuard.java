package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drops an upstream HTTP/1.1 connection whose response carried more bytes than its framing said (a
 * {@code Content-Length} smaller than the body the origin wrote).
 *
 * <p>Netty's decoder ends the response at {@code Content-Length} and keeps the rest as the start of the next
 * response. Vert.x then put the connection back in the pool, and the next request sent on it read those bytes
 * in front of its own status line ("invalid version format"): a 502 for a request that had nothing to do with
 * the faulty one. RFC 9112 §6.3: a client must not process such extra data as a response, and may discard it.
 * This handler sits right after the codec; when a final response ends while the codec still holds unread bytes,
 * it discards them and marks that response {@code Connection: close} before Vert.x sees its end, so Vert.x closes
 * the connection instead of pooling it, whether it delivers the end at once or later from a paused stream (as
 * nginx does on "upstream sent more data than specified in Content-Length"). Without pipelining (never enabled
 * here) a complete response followed by more bytes is always this case; informational (1xx) responses are
 * skipped.
 *
 * <p>It also keeps the protocol version of the last final response head it passed on ({@link #receivedVersion}).
 */
final class ResponseOverrunGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "sidecar-response-overrun";
  private static final Logger LOG = Logger.getLogger(ResponseOverrunGuard.class.getName());
  private static final Field INBOUND = field(CombinedChannelDuplexHandler.class, "inboundHandler");
  private static final Method INTERNAL_BUFFER = method(ByteToMessageDecoder.class, "internalBuffer");

  private final ByteToMessageDecoder decoder;
  private HttpResponse response;
  private boolean dropped;
  /** Whether this connection has carried a final response to its end ({@link #servedBefore}). */
  private boolean servedOne;
  /** Whether the last final response head on this connection said HTTP/1.0 ({@link #receivedVersion}). */
  private boolean http10Head;

  private ResponseOverrunGuard(ByteToMessageDecoder decoder) {
    this.decoder = decoder;
  }

  /** Connect handler for the clusters' clients: adds the guard to an HTTP/1.x connection's pipeline. */
  static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) return; // HTTP/2 connections frame their own data
    ChannelHandlerContext ctx = base.channelHandlerContext();
    ChannelHandler codec = ctx.pipeline().get("codec");
    ByteToMessageDecoder decoder = codec instanceof HttpClientCodec c ? decoderOf(c) : null;
    if (decoder == null || ctx.pipeline().get(NAME) != null) return;
    ctx.pipeline().addAfter("codec", NAME, new ResponseOverrunGuard(decoder));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (dropped) {
      ReferenceCountUtil.release(msg); // whatever the codec still makes of the discarded bytes
      return;
    }
    if (msg instanceof HttpResponse r) {
      response = r;
      if (r.status().code() >= 200) http10Head = r.protocolVersion() == HttpVersion.HTTP_1_0;
    }
    if (!(msg instanceof LastHttpContent) || response == null || response.status().code() < 200) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf rest = unread();
    int extra = rest == null ? 0 : rest.readableBytes();
    if (extra > 0) {
      dropped = true;
      rest.skipBytes(extra);
      // Vert.x reads these headers (the same object it was handed with the status line) when the response ends
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      LOG.log(Level.FINE, () -> "upstream " + ctx.channel().remoteAddress() + " sent " + extra
          + " bytes after a complete response; connection closed");
    }
    response = null;
    servedOne = true;
    ctx.fireChannelRead(msg);
  }

  /**
   * Whether an HTTP/1.x upstream connection has carried a whole final response: a request on it then went out on a
   * kept-alive connection, which the upstream may have been closing as idle ({@link Exchange}). False when the guard
   * could not be installed.
   */
  static boolean servedBefore(HttpConnection connection) {
    return connection instanceof ConnectionBase base
        && base.channelHandlerContext().pipeline().get(NAME) instanceof ResponseOverrunGuard guard
        && guard.servedOne;
  }

  /**
   * The protocol version of {@code response}'s head as the upstream sent it, which the Via entry for it names (RFC 9110
   * §7.6.3). Vert.x 5.0.7 gives a client response its connection's version, not its head's
   * ({@code HttpClientRequestBase}: {@code new HttpClientResponseImpl(this, stream.version(), ...)}), so an
   * {@code HTTP/1.0 200} read as 1.1 there. Without pipelining the connection's last final head is this response's:
   * the next cannot come before this one has ended and another request went out.
   */
  static io.vertx.core.http.HttpVersion receivedVersion(HttpClientResponse response) {
    io.vertx.core.http.HttpVersion version = response.version();
    if (version == io.vertx.core.http.HttpVersion.HTTP_1_1
        && response.request().connection() instanceof ConnectionBase base
        && base.channelHandlerContext().pipeline().get(NAME) instanceof ResponseOverrunGuard guard
        && guard.http10Head) {
      return io.vertx.core.http.HttpVersion.HTTP_1_0;
    }
    return version;
  }

  /** The bytes the codec has received but not decoded yet (null if they cannot be looked at). */
  private ByteBuf unread() {
    try {
      return INTERNAL_BUFFER == null ? null : (ByteBuf) INTERNAL_BUFFER.invoke(decoder);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static ByteToMessageDecoder decoderOf(HttpClientCodec codec) {
    try {
      return INBOUND != null && INTERNAL_BUFFER != null && INBOUND.get(codec) instanceof ByteToMessageDecoder d
          ? d : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Field field(Class<?> type, String name) {
    try {
      Field f = type.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning("response overrun guard off: " + e);
      return null;
    }
  }

  private static Method method(Class<?> type, String name) {
    try {
      Method m = type.getDeclaredMethod(name);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning("response overrun guard off: " + e);
      return null;
    }
  }
}
