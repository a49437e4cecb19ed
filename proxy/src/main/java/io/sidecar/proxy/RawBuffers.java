package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What the byte-level exchanges ({@link FastPathExchange}, {@link Http2RawExchange}) do with buffers alike. */
final class RawBuffers {
  static final byte[] CRLF = {'\r', '\n'};

  private RawBuffers() {}

  /** Releases {@code buf} if there is one; null, for the field that held it. */
  static ByteBuf released(ByteBuf buf) {
    if (buf != null) buf.release();
    return null;
  }

  /** Releases every buffer of {@code bufs} if there is a list; null, for the field that held it. */
  static List<ByteBuf> released(List<ByteBuf> bufs) {
    if (bufs != null) bufs.forEach(ByteBuf::release);
    return null;
  }

  /** Writes the field line {@code name: value} CRLF (the value in ISO-8859-1, as HTTP/1.1 fields are bytes). */
  static void writeField(ByteBuf out, String name, String value) {
    out.writeCharSequence(name, StandardCharsets.US_ASCII);
    out.writeByte(':').writeByte(' ');
    out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    out.writeBytes(CRLF);
  }
}
