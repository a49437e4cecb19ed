package io.sidecar.proxy;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The HTTP/1.x codec of an upstream connection Vert.x's client opens (full path, cache fetches, health probes): as
 * Vert.x's own, with the same limits, but a response head may end its lines with a bare LF. RFC 9112 §2.2 lets a
 * recipient accept that; nginx, HAProxy and Envoy do, and so does the byte-level path ({@code ResponseHeadParser}),
 * which sends such heads on with CRLF. Netty's decoder refuses them by default (strict line parsing), so a legacy
 * upstream answered on one path was 502 on the other. Only responses are read leniently: requests from clients still
 * meet the strict decoder, where a disagreement about line ends is a smuggling vector.
 */
final class UpstreamCodec {
  private static final String CODEC = "codec";

  private UpstreamCodec() {}

  /** What a client's connect handler does: the lenient codec, then {@link ResponseOverrunGuard}. */
  static Handler<HttpConnection> onConnect(HttpClientOptions options) {
    return connection -> {
      replace(connection, options);
      ResponseOverrunGuard.install(connection);
    };
  }

  /** Puts the lenient codec in the place of Vert.x's on a connection just opened (HTTP/2 ones are left alone). */
  static void replace(HttpConnection connection, HttpClientOptions options) {
    if (!(connection instanceof ConnectionBase base)) return;
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (!(pipeline.get(CODEC) instanceof HttpClientCodec)) return;
    HttpDecoderConfig config = new HttpDecoderConfig()
        .setMaxInitialLineLength(options.getMaxInitialLineLength())
        .setMaxHeaderSize(options.getMaxHeaderSize())
        .setMaxChunkSize(options.getMaxChunkSize())
        .setInitialBufferSize(options.getDecoderInitialBufferSize())
        .setStrictLineParsing(false);
    // Vert.x's own arguments: no HTTP after a CONNECT's response, no failure for a response never received
    pipeline.replace(CODEC, CODEC, new HttpClientCodec(config, false, false));
  }
}
