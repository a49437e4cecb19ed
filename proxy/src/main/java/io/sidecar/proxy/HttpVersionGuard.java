package io.sidecar.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sidecar.proxy.http1.RequestLineVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;

/**
 * The request-line version rules of {@link RequestLineVersion} for requests Vert.x's HTTP/1.x decoder reads itself
 * (TLS listeners, {@code fast_path: false}, requests between hand-overs): placed right behind the decoder, it serves
 * HTTP/1.2–1.9 as HTTP/1.1 and answers HTTP/2.0–9.9 with 505 and a malformed version with 400 before Vert.x would
 * answer all of them 501. The byte-level path applies the same rules to the bytes it sees first
 * ({@link FastPathConnection}). On a plain listener that also speaks h2c, Vert.x announces a connection only while
 * dispatching its first request, so without the byte-level path {@link FirstRequestVersion} judges that one.
 *
 * <p>{@link Http10Responses} puts the responses to HTTP/1.0 requests right.
 */
final class HttpVersionGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "sidecarVersion";
  private static final String DECODER = "httpDecoder";

  private final Runnable onReject;
  private boolean rejecting;

  private HttpVersionGuard(Runnable onReject) {
    this.onReject = onReject;
  }

  /** Behind the HTTP/1.x decoder of a server connection Vert.x has just announced; nothing for HTTP/2. */
  static void install(HttpConnection connection, Runnable onReject) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    if (pipeline.get(DECODER) != null && pipeline.get(NAME) == null) {
      pipeline.addAfter(DECODER, NAME, new HttpVersionGuard(onReject));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejecting) {
      ReferenceCountUtil.release(msg); // the rest of a rejected request, or what follows it on a closing connection
      return;
    }
    if (msg instanceof HttpRequest request) {
      HttpVersion version = request.protocolVersion();
      if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
        // Netty returns its constants for exactly "HTTP/1.1" and "HTTP/1.0"; any other 1.0 or 1.1 was spelt otherwise
        RequestLineVersion.Verdict verdict = "HTTP".equals(version.protocolName())
            ? RequestLineVersion.of(version.majorVersion(), version.minorVersion(), false)
            : RequestLineVersion.Verdict.MALFORMED;
        if (verdict == RequestLineVersion.Verdict.LOWER_TO_1_1) {
          request.setProtocolVersion(HttpVersion.HTTP_1_1);
        } else if (verdict != RequestLineVersion.Verdict.AS_IS) {
          rejecting = true;
          ReferenceCountUtil.release(msg);
          reject(ctx, verdict, onReject);
          return;
        }
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Answers a request whose version is {@code verdict} (505 or 400, flag DPE) and closes the connection. */
  static void reject(ChannelHandlerContext ctx, RequestLineVersion.Verdict verdict, Runnable onReject) {
    onReject.run();
    boolean unsupported = verdict == RequestLineVersion.Verdict.UNSUPPORTED_MAJOR;
    String body = unsupported ? "HTTP version not supported\n" : "malformed HTTP version\n";
    String head = (unsupported ? "HTTP/1.1 505 HTTP Version Not Supported" : "HTTP/1.1 400 Bad Request")
        + "\r\n" + ResponseFlag.HEADER + ": " + ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR.code()
        + "\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: " + body.length()
        + "\r\nconnection: close\r\n\r\n";
    ctx.writeAndFlush(Unpooled.copiedBuffer(head + body, StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
