package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.sidecar.proxy.http1.RequestLineVersion;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The request-line version rules of {@link RequestLineVersion} for the first request of a connection on a plain
 * listener that also speaks h2c and has no byte-level path ({@code server.fast_path: false}). Vert.x announces such a
 * connection only while dispatching its first request, too late for {@link HttpVersionGuard}, so Vert.x answered that
 * request 501 whatever its version. Placed in front of Vert.x's h2c detector when the connection is accepted
 * ({@link EarlyFastPath}), this reads the first request line, serves HTTP/1.2–1.9 as HTTP/1.1 (rewritten in place),
 * answers HTTP/2.0–9.9 with 505 and a malformed version with 400, and then leaves the pipeline, handing on every
 * byte it held (ByteToMessageDecoder does on removal). The HTTP/2 preface goes on untouched.
 *
 * <p>The byte-level path puts one behind itself when it hands Vert.x a request whose line has not all arrived yet
 * ({@link FastPathConnection}), for the same reason.
 */
final class FirstRequestVersion extends ByteToMessageDecoder {
  /**
   * Past this many bytes without a whole request line the decoder behind answers (Vert.x's limit on the initial line
   * is 4096 bytes, and it answers 414 beyond it).
   */
  private static final int MAX_HELD = 8192;
  private static final String HTTP2_PREFACE_HEAD = Http1xOrH2CHandler.HTTP_2_PREFACE.substring(0, 18);

  private final Runnable onReject;
  private boolean rejected;

  FirstRequestVersion(Runnable onReject) {
    this.onReject = onReject;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (rejected) {
      in.skipBytes(in.readableBytes()); // what follows a rejected request on a closing connection
      return;
    }
    if (!RequestLineVersion.hasRequestLine(in) && in.readableBytes() < MAX_HELD) return; // wait for the whole line
    if (!startsWithHttp2Preface(in)) {
      RequestLineVersion.Verdict verdict = RequestLineVersion.judge(in); // lowers HTTP/1.2-1.9 to 1.1 in place
      if (verdict == RequestLineVersion.Verdict.UNSUPPORTED_MAJOR || verdict == RequestLineVersion.Verdict.MALFORMED) {
        rejected = true;
        in.skipBytes(in.readableBytes());
        HttpVersionGuard.reject(ctx, verdict, onReject);
        return;
      }
    }
    ctx.pipeline().remove(this);
  }

  /**
   * Whether {@code bytes} begin with the HTTP/2 connection preface (RFC 9113 §3.4) up to its blank line,
   * "PRI * HTTP/2.0" CRLF CRLF, or are all of that which has come so far: prior-knowledge h2c, Vert.x's to detect.
   * Judged as a request line, a preface split after its first line was answered 505.
   */
  static boolean startsWithHttp2Preface(ByteBuf bytes) {
    if (bytes == null || !bytes.isReadable()) return false;
    int length = Math.min(HTTP2_PREFACE_HEAD.length(), bytes.readableBytes());
    return bytes.toString(bytes.readerIndex(), length, StandardCharsets.US_ASCII)
        .equals(HTTP2_PREFACE_HEAD.substring(0, length));
  }
}
