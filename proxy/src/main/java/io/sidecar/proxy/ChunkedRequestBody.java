package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.sidecar.proxy.http1.ChunkedBodyScanner;
import java.util.function.Consumer;

/**
 * A chunked request body on the byte-level path: read strictly ({@link ChunkedBodyScanner#strict()}: CRLF only, hex
 * sizes without sign or prefix, extensions and trailer lines of field-value bytes) and sent on re-chunked, one chunk
 * per read of the client's, with no extensions and no trailers. The upstream thus gets a body framed by the sidecar
 * alone, whatever its own parser tolerates, as nginx and Envoy rebuild a chunked body rather than relay its framing;
 * trailers (RFC 9110 §6.5: optional, and a recipient may drop them) are dropped, as nginx drops a request's.
 */
final class ChunkedRequestBody {
  /** What a read found. */
  enum Progress {
    /** More of the body is to come. */
    MORE,
    /** The last chunk and the trailer section's end were read. */
    DONE,
    /** The framing broke RFC 9112 §7.1 (400). */
    MALFORMED,
    /** The chunk sizes declare more than the limit (413); nothing of the chunk that crossed it was sent on. */
    TOO_LARGE
  }

  private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
  private static final byte[] CRLF = {'\r', '\n'};

  private final ChunkedBodyScanner scanner = ChunkedBodyScanner.strict();
  private final long maxLength;
  private Progress progress = Progress.MORE;

  /** {@code maxLength}: the limit on the decoded body ({@code server.max_request_body}). */
  ChunkedRequestBody(long maxLength) {
    this.maxLength = maxLength;
    scanner.reset(true);
  }

  /** Whether the body is still coming (neither done nor failed). */
  boolean pending() {
    return progress == Progress.MORE;
  }

  /**
   * Reads the body's bytes at {@code buf}'s reader index, as far as they have arrived, and moves the index past
   * them (a pipelined request behind the body stays); gives {@code upstream} what goes on for them, in order.
   */
  Progress read(ByteBuf buf, ByteBufAllocator alloc, Consumer<ByteBuf> upstream) {
    if (progress != Progress.MORE) return progress;
    int n = scanner.scan(buf);
    // the scan stops at a fault, so a size over the limit that it read came before any fault
    if (scanner.declaredLength() > maxLength) return progress = Progress.TOO_LARGE;
    if (n < 0) return progress = Progress.MALFORMED;
    long data = 0;
    for (int i = 0; i < scanner.dataSpans(); i++) data += scanner.dataEnd(i) - scanner.dataStart(i);
    boolean done = scanner.done();
    if (data > 0) {
      ByteBuf sizeLine = alloc.buffer(18);
      ByteBufUtil.writeAscii(sizeLine, Long.toHexString(data));
      upstream.accept(sizeLine.writeBytes(CRLF));
      for (int i = 0; i < scanner.dataSpans(); i++) {
        upstream.accept(buf.retainedSlice(scanner.dataStart(i), scanner.dataEnd(i) - scanner.dataStart(i)));
      }
    }
    if (data > 0 || done) {
      ByteBuf end = alloc.buffer(CRLF.length + LAST_CHUNK.length);
      if (data > 0) end.writeBytes(CRLF);
      if (done) end.writeBytes(LAST_CHUNK);
      upstream.accept(end);
    }
    buf.skipBytes(n);
    if (done) progress = Progress.DONE;
    return progress;
  }
}
