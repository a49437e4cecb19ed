package io.sidecar.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Stream;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * RFC 9113 §8.1: a server that has sent a complete response before the client finished its request may ask it, with
 * RST_STREAM NO_ERROR after the response's END_STREAM, to stop sending the rest (an upstream's early 413, the body
 * limit, the sidecar's own answer before the body: a declared length over the limit, no route), as nginx and Envoy
 * do, instead of leaving the client to send it into a stream nobody reads. Used by {@link Exchange},
 * {@link CachingExchange}, {@link Http2RawExchange} and {@link ProxyHandler}.
 */
final class EarlyAnswerReset {
  private EarlyAnswerReset() {}

  /** Once {@code request}'s response has ended: resets its HTTP/2 stream with NO_ERROR if the client's side is open. */
  static void ifRequestUnfinished(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    // isEnded() true: the client's END_STREAM was delivered, so it is done (the usual case, decided without a lookup)
    if (request.version() == HttpVersion.HTTP_2 && !request.isEnded() && response.ended() && !response.closed()
        && clientStillSending(request)) {
      response.reset(0);
    }
  }

  /**
   * Whether the client has not ended its side of the stream. Netty's stream state says it: Vert.x's {@code isEnded()}
   * turns true only when the end is delivered, which a paused request (a local answer before its body was read)
   * holds back; a reset then would follow a stream both sides had ended.
   */
  private static boolean clientStillSending(HttpServerRequest request) {
    if (!(request.connection() instanceof ConnectionBase base)) return true; // its end not delivered yet
    ChannelHandlerContext context = base.channelHandlerContext().pipeline().context(Http2ConnectionHandler.class);
    if (context == null) return true;
    Http2Stream stream = ((Http2ConnectionHandler) context.handler()).connection().stream(request.streamId());
    return stream != null
        && (stream.state() == Http2Stream.State.OPEN || stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL);
  }
}
