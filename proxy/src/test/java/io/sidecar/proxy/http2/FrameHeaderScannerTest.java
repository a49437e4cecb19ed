package io.sidecar.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameHeaderScannerTest {
  /** A frame: 24-bit length, type, flags, stream (with the reserved bit set, which must be ignored), payload. */
  private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, int length) {
    out.writeBytes(new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
        (byte) ((stream >>> 24) | 0x80), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
    out.writeBytes(new byte[length]);
  }

  private static byte[] stream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    frame(out, 0x4, 0, 0, 12);           // SETTINGS
    frame(out, 0x1, 0x5, 1, 40);         // HEADERS, END_STREAM | END_HEADERS
    frame(out, 0x0, 0x1, 3, 70_000);     // DATA longer than 16 bits can say
    frame(out, 0x3, 0, 0x7fff_fffd, 4);  // RST_STREAM on the highest odd stream
    frame(out, 0x6, 0, 0, 8);            // PING
    return out.toByteArray();
  }

  private static final List<String> EXPECTED = List.of(
      "type 4 flags 0 stream 0 length 12 at 0",
      "type 1 flags 5 stream 1 length 40 at 21",
      "type 0 flags 1 stream 3 length 70000 at 70",
      "type 3 flags 0 stream 2147483645 length 4 at 70079",
      "type 6 flags 0 stream 0 length 8 at 70092");

  /** Feeds {@code bytes} in pieces of {@code size}; reports each header with its start as an offset in the stream. */
  private static List<String> scanInPieces(byte[] bytes, int size) {
    FrameHeaderScanner scanner = new FrameHeaderScanner();
    List<String> seen = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += size) {
      int pieceStart = at;
      // a piece whose reader index is not 0, as a slice of a larger read would be
      ByteBuf piece = Unpooled.buffer().writeZero(3).writeBytes(bytes, at, Math.min(size, bytes.length - at)).skipBytes(3);
      scanner.scan(piece, (type, flags, stream, length, start) -> {
        seen.add("type %d flags %d stream %d length %d at %d".formatted(type, flags, stream, length,
            pieceStart + start - piece.readerIndex()));
        return true;
      });
    }
    return seen;
  }

  @Test
  void findsEveryHeaderWhateverThePieceSize() {
    byte[] bytes = stream();
    for (int size : new int[] {1, 2, 4, 8, 9, 10, 13, 100, 65_536, bytes.length}) {
      assertThat(scanInPieces(bytes, size)).as("pieces of %d", size).isEqualTo(EXPECTED);
    }
  }

  @Test
  void stopsWhereTheVisitorSays() {
    FrameHeaderScanner scanner = new FrameHeaderScanner();
    List<Integer> types = new ArrayList<>();
    scanner.scan(Unpooled.wrappedBuffer(stream()), (type, flags, stream, length, start) -> {
      types.add(type);
      return type != 1;
    });
    assertThat(types).containsExactly(4, 1);
  }

  @Test
  void saysWhetherTheBytesSoFarEndInsideAFrame() {
    byte[] bytes = stream();
    FrameHeaderScanner scanner = new FrameHeaderScanner();
    assertThat(scanner.midFrame()).isFalse();
    scanner.scan(Unpooled.wrappedBuffer(bytes, 0, 4), (type, flags, stream, length, start) -> true);
    assertThat(scanner.midFrame()).as("inside a frame header").isTrue();
    scanner.scan(Unpooled.wrappedBuffer(bytes, 4, bytes.length - 5), (type, flags, stream, length, start) -> true);
    assertThat(scanner.midFrame()).as("one payload byte short").isTrue();
    scanner.scan(Unpooled.wrappedBuffer(bytes, bytes.length - 1, 1), (type, flags, stream, length, start) -> true);
    assertThat(scanner.midFrame()).as("at a frame boundary").isFalse();
    FrameHeaderScanner preface = new FrameHeaderScanner();
    preface.skip(24);
    assertThat(preface.midFrame()).as("bytes to skip first").isTrue();
  }
}
