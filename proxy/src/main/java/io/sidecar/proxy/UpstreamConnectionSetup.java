package io.sidecar.proxy;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What each upstream connection Vert.x's client opens (full path, cache fetches, health probes) gets when it opens.
 *
 * <p>Its HTTP/1.x codec is Vert.x's, with the same limits, but a response head may end its lines with a bare LF. RFC
 * 9112 §2.2 lets a recipient accept that; nginx, HAProxy and Envoy do, and so does the byte-level path ({@code
 * ResponseHeadParser}), which sends such heads on with CRLF. Netty's decoder refuses them by default (strict line
 * parsing), so a legacy upstream answered on one path was 502 on the other. Only responses are read leniently:
 * requests from clients still meet the strict decoder, where a disagreement about line ends is a smuggling vector.
 * The same goes for a chunked body's own lines, which Netty reads only with CRLF: {@link ChunkedLineEnds} ends them
 * with CRLF before the codec reads them.
 *
 * <p>Its errors (a reset, a malformed response) are logged at FINE only: each already fails the request on it, which
 * is answered with its flag (502 {@code UR}, {@code UPE}) and counted. Vert.x logged each at SEVERE, two lines per
 * failed request, on the event loop: an upstream resetting its connections flooded the log.
 */
final class UpstreamConnectionSetup {
  private static final String CODEC = "codec";

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(UpstreamConnectionSetup.class.getName());

  private UpstreamConnectionSetup() {}

  /**
   * The proxy's clients' connect handler: what {@link #forProbes} installs, {@link ResponseOverrunGuard}, and on an
   * HTTP/2 connection {@link Http2FlushConsolidation} (requests of several client streams written in one pass of the
   * loop leave in one system call).
   */
  static Handler<HttpConnection> onConnect(HttpClientOptions options) {
    return connection -> {
      forProbes(connection, options);
      ResponseOverrunGuard.install(connection);
      Http2FlushConsolidation.install(connection);
    };
  }

  /**
   * The health probes' connect handler: the lenient codec, {@link KeepAliveMargin} (a probe every 5 s on a connection
   * an upstream keeps 5 s, Node's and Apache's default, would race the upstream's close), quiet errors.
   */
  static void forProbes(HttpConnection connection, HttpClientOptions options) {
    connection.exceptionHandler(error -> LOG.log(java.util.logging.Level.FINE,
        () -> "upstream connection " + connection.remoteAddress() + ": " + error));
    replaceCodec(connection, options);
    KeepAliveMargin.install(connection);
  }

  /**
   * Puts the lenient codec in the place of Vert.x's on a connection just opened (HTTP/2 ones are left alone), with
   * {@link ChunkedLineEnds} around it: Netty's decoder has no lenient mode for a chunked body's own lines.
   */
  private static void replaceCodec(HttpConnection connection, HttpClientOptions options) {
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
    ChunkedLineEnds.install(pipeline, CODEC, config);
  }
}
