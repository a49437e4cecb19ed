package io.sidecar.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Puts right what Vert.x writes in answer to an HTTP/1.0 request, between its encoder and its handler:
 * <ul>
 *   <li>The status line says HTTP/1.1: RFC 9110 §2.5 has a server send the highest version it conforms to whose major
 *       is the request's, as nginx, HAProxy and Envoy do and as the byte-level path does; Vert.x echoed "HTTP/1.0".
 *       A response on a connection that closes after it says so ({@code Connection: close}), since an HTTP/1.1
 *       response without it keeps the connection open.</li>
 *   <li>A body of unknown length ends with the connection. An HTTP/1.0 client cannot read chunked, so Vert.x sends
 *       such a body (a chunked or close-delimited upstream response) as it comes, without a length; but to a client
 *       that asked for keep-alive it still said {@code Connection: keep-alive} and kept the connection open, and the
 *       client could never tell where the body ended (ApacheBench {@code -k} waited for its timeout on each request).
 *       As nginx does, such a response says {@code Connection: close} and the connection closes after it (RFC 9112
 *       §6.3: the close then delimits the body).</li>
 * </ul>
 * Installed on a connection with its first HTTP/1.0 request, so connections that only ever carry HTTP/1.1 do not pass
 * their writes through it.
 */
final class Http10Responses extends ChannelOutboundHandlerAdapter {
  static final String NAME = "sidecarHttp10Responses";
  private static final String ENCODER = "httpEncoder";

  /** Set by a response whose body only the close can end: the connection closes once its last part is written. */
  private boolean closeAfterBody;

  /** In front of Vert.x's encoder of {@code connection}, which has just received an HTTP/1.0 request; once. */
  static void installOn(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) return;
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (pipeline.get(NAME) == null && pipeline.get(ENCODER) != null) {
      pipeline.addAfter(ENCODER, NAME, new Http10Responses());
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response && response.protocolVersion() == HttpVersion.HTTP_1_0) {
      answerInHttp11(response);
    }
    if (closeAfterBody && msg instanceof LastHttpContent) {
      closeAfterBody = false;
      ChannelPromise written = promise.unvoid();
      ctx.write(msg, written);
      written.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.write(msg, promise);
  }

  private void answerInHttp11(HttpResponse response) {
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    int status = response.status().code();
    if (status < 200) return;
    var headers = response.headers();
    boolean bodyOfUnknownLength = status != 204 && status != 304 && !headers.contains(HttpHeaderNames.CONTENT_LENGTH);
    if (bodyOfUnknownLength && headers.contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true)) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      closeAfterBody = true;
    } else if (!headers.contains(HttpHeaderNames.CONNECTION)) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
  }
}
