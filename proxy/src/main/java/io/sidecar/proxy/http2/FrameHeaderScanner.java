package io.sidecar.proxy.http2;

import io.netty.buffer.ByteBuf;

/**
 * Finds the frame headers (RFC 9113 §4.1: 24-bit length, type, flags, 31-bit stream identifier) in an HTTP/2 byte
 * stream that arrives in pieces of any size, without consuming or copying the bytes: payloads are skipped, and a
 * header split across two pieces is put together from its parts. Starts at a frame boundary.
 */
public final class FrameHeaderScanner {
  /** Frame types (RFC 9113 §6). */
  public static final int HEADERS = 0x1, RST_STREAM = 0x3, PUSH_PROMISE = 0x5, CONTINUATION = 0x9;
  /** HEADERS, PUSH_PROMISE and CONTINUATION: the header block ends with this frame (RFC 9113 §6.2, §6.10). */
  public static final int END_HEADERS = 0x4;

  /** Told of each frame header, in order. */
  public interface Visitor {
    /**
     * @param start where the frame begins in the piece being scanned; below the piece's reader index when the frame
     *              began in an earlier piece
     * @return false to stop scanning here (what follows the header is not looked at)
     */
    boolean frame(int type, int flags, int streamId, int length, int start);
  }

  private static final int HEADER_LENGTH = 9;

  private final byte[] partial = new byte[HEADER_LENGTH];
  private int partialLength;
  private long payloadLeft;

  /** Whether the bytes scanned so far end inside a frame (its header or payload), or inside skipped bytes. */
  public boolean midFrame() {
    return partialLength > 0 || payloadLeft > 0;
  }

  /** Skips {@code bytes} that are not frames, before the next frame header (the client's connection preface). */
  public void skip(int bytes) {
    payloadLeft += bytes;
  }

  /** Scans {@code piece}'s readable bytes, telling {@code visitor} of each frame header completed in them. */
  public void scan(ByteBuf piece, Visitor visitor) {
    int pos = piece.readerIndex();
    int end = piece.writerIndex();
    while (pos < end) {
      if (payloadLeft > 0) {
        int skipped = (int) Math.min(payloadLeft, end - pos);
        pos += skipped;
        payloadLeft -= skipped;
        continue;
      }
      int start;
      int length, type, flags, streamId;
      if (partialLength == 0 && end - pos >= HEADER_LENGTH) {
        start = pos;
        length = piece.getUnsignedMedium(pos);
        type = piece.getUnsignedByte(pos + 3);
        flags = piece.getUnsignedByte(pos + 4);
        streamId = piece.getInt(pos + 5) & 0x7fffffff;
        pos += HEADER_LENGTH;
      } else {
        int taken = Math.min(HEADER_LENGTH - partialLength, end - pos);
        piece.getBytes(pos, partial, partialLength, taken);
        start = pos - partialLength;
        partialLength += taken;
        pos += taken;
        if (partialLength < HEADER_LENGTH) return;
        partialLength = 0;
        length = ((partial[0] & 0xff) << 16) | ((partial[1] & 0xff) << 8) | (partial[2] & 0xff);
        type = partial[3] & 0xff;
        flags = partial[4] & 0xff;
        streamId = (((partial[5] & 0x7f) << 24) | ((partial[6] & 0xff) << 16) | ((partial[7] & 0xff) << 8)
            | (partial[8] & 0xff));
      }
      payloadLeft = length;
      if (!visitor.frame(type, flags, streamId, length, start)) return;
    }
  }
}
