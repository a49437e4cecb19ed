package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChunkedRequestBodyTest {
  private static final String NEXT = "GET /next HTTP/1.1\r\n";

  private final List<ByteBuf> sent = new ArrayList<>();
  private final List<ByteBuf> fed = new ArrayList<>();

  @AfterEach
  void release() {
    sent.forEach(ByteBuf::release);
    fed.forEach(ByteBuf::release);
  }

  private ChunkedRequestBody.Progress read(ChunkedRequestBody body, ByteBuf buf) {
    return body.read(buf, ByteBufAllocator.DEFAULT, sent::add);
  }

  private ByteBuf buf(String s) {
    ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    fed.add(b);
    return b;
  }

  private String upstream() {
    StringBuilder out = new StringBuilder();
    sent.forEach(b -> out.append(b.toString(StandardCharsets.ISO_8859_1)));
    return out.toString();
  }

  /** Decodes a chunked body the way a strict upstream would; fails on anything but plain chunks and no trailers. */
  private static String decode(String chunked) {
    StringBuilder data = new StringBuilder();
    int i = 0;
    while (true) {
      int crlf = chunked.indexOf("\r\n", i);
      String size = chunked.substring(i, crlf);
      assertThat(size).matches("[0-9a-f]+");
      int n = Integer.parseInt(size, 16);
      if (n == 0) {
        assertThat(chunked.substring(crlf)).isEqualTo("\r\n\r\n");
        return data.toString();
      }
      data.append(chunked, crlf + 2, crlf + 2 + n);
      assertThat(chunked.substring(crlf + 2 + n, crlf + 4 + n)).isEqualTo("\r\n");
      i = crlf + 4 + n;
    }
  }

  @Test
  void extensionsAndTrailersAreDroppedAndTheBodyReChunked() {
    ChunkedRequestBody body = new ChunkedRequestBody(1000);
    ByteBuf in = buf("5;name=\"v;x\"\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n" + NEXT);
    assertThat(read(body, in)).isEqualTo(ChunkedRequestBody.Progress.DONE);
    assertThat(body.pending()).isFalse();
    assertThat(upstream()).isEqualTo("f\r\nhello0123456789\r\n0\r\n\r\n");
    assertThat(in.toString(StandardCharsets.ISO_8859_1)).as("the pipelined request stays").isEqualTo(NEXT);
  }

  /** However the client's bytes are cut, the upstream gets the same data, framed by the sidecar alone. */
  @Test
  void everySplitGivesTheSameData() {
    String wire = "5\r\nhello\r\n1;a=b\r\n,\r\n6\r\n world\r\n0\r\n\r\n";
    for (int cut = 0; cut <= wire.length(); cut++) {
      sent.forEach(ByteBuf::release);
      sent.clear();
      ChunkedRequestBody body = new ChunkedRequestBody(1000);
      ByteBuf first = buf(wire.substring(0, cut));
      ChunkedRequestBody.Progress p = read(body, first);
      assertThat(first.isReadable()).isFalse();
      if (p == ChunkedRequestBody.Progress.MORE) p = read(body, buf(wire.substring(cut)));
      assertThat(p).as("cut at %d", cut).isEqualTo(ChunkedRequestBody.Progress.DONE);
      assertThat(decode(upstream())).as("cut at %d", cut).isEqualTo("hello, world");
    }
  }

  @Test
  void aReadWithoutDataSendsNothing() {
    ChunkedRequestBody body = new ChunkedRequestBody(1000);
    assertThat(read(body, buf("5;ext"))).isEqualTo(ChunkedRequestBody.Progress.MORE);
    assertThat(sent).isEmpty();
    assertThat(read(body, buf("\r\n"))).isEqualTo(ChunkedRequestBody.Progress.MORE);
    assertThat(sent).isEmpty();
  }

  @Test
  void malformedFramingSendsNothingOfItsRead() {
    ChunkedRequestBody body = new ChunkedRequestBody(1000);
    assertThat(read(body, buf("5\r\nhello\r\n"))).isEqualTo(ChunkedRequestBody.Progress.MORE);
    String before = upstream();
    assertThat(read(body, buf("3\r\nabc\n0\r\n\r\n"))).isEqualTo(ChunkedRequestBody.Progress.MALFORMED);
    assertThat(upstream()).isEqualTo(before);
    assertThat(body.pending()).isFalse();
    assertThat(read(body, buf("0\r\n\r\n"))).as("and stays so").isEqualTo(ChunkedRequestBody.Progress.MALFORMED);
  }

  /** A chunk size that passes the limit is refused as its size line ends, before its data (nginx does the same). */
  @Test
  void theLimitIsJudgedOnTheDeclaredSizes() {
    ChunkedRequestBody body = new ChunkedRequestBody(10);
    assertThat(read(body, buf("a\r\n0123456789\r\n"))).isEqualTo(ChunkedRequestBody.Progress.MORE);
    String before = upstream();
    assertThat(read(body, buf("1\r\n"))).isEqualTo(ChunkedRequestBody.Progress.TOO_LARGE);
    assertThat(upstream()).isEqualTo(before);

    ChunkedRequestBody exact = new ChunkedRequestBody(10);
    sent.forEach(ByteBuf::release);
    sent.clear();
    assertThat(read(exact, buf("a\r\n0123456789\r\n0\r\n\r\n"))).isEqualTo(ChunkedRequestBody.Progress.DONE);
    assertThat(decode(upstream())).isEqualTo("0123456789");
  }

  /**
   * Random bodies (seeded): random chunk sizes in upper or lower hex with leading zeros, extensions, trailers, the
   * wire cut into random reads. The upstream always gets exactly the data, and a pipelined request behind the body
   * is left where it was.
   */
  @Test
  void randomBodiesCutAnywhereReachTheUpstreamIntact() {
    for (long seed = 1; seed <= 300; seed++) {
      java.util.Random random = new java.util.Random(seed);
      StringBuilder wire = new StringBuilder();
      StringBuilder data = new StringBuilder();
      int chunks = random.nextInt(6);
      for (int c = 0; c < chunks; c++) {
        int size = 1 + random.nextInt(300);
        String hex = Integer.toHexString(size);
        if (random.nextBoolean()) hex = hex.toUpperCase(java.util.Locale.ROOT);
        wire.append("0".repeat(random.nextInt(3))).append(hex);
        if (random.nextInt(4) == 0) wire.append(";ext").append(c).append(random.nextBoolean() ? "=\"q;v\"" : "");
        wire.append("\r\n");
        for (int i = 0; i < size; i++) {
          char ch = (char) (random.nextInt(3) == 0 ? "\r\n0;".charAt(random.nextInt(4)) : 'a' + random.nextInt(26));
          wire.append(ch);
          data.append(ch);
        }
        wire.append("\r\n");
      }
      wire.append("0\r\n");
      if (random.nextBoolean()) wire.append("X-T: ").append(seed).append("\r\n");
      wire.append("\r\n").append(NEXT);
      sent.forEach(ByteBuf::release);
      sent.clear();
      ChunkedRequestBody body = new ChunkedRequestBody(10_000);
      String all = wire.toString();
      int at = 0;
      ChunkedRequestBody.Progress p = ChunkedRequestBody.Progress.MORE;
      ByteBuf last = null;
      while (p == ChunkedRequestBody.Progress.MORE) {
        int to = Math.min(all.length(), at + 1 + random.nextInt(200));
        last = buf(all.substring(at, to));
        p = read(body, last);
        at = to - last.readableBytes();
      }
      assertThat(p).as("seed %d", seed).isEqualTo(ChunkedRequestBody.Progress.DONE);
      assertThat(decode(upstream())).as("seed %d", seed).isEqualTo(data.toString());
      assertThat(all.substring(at)).as("seed %d: what is left", seed).isEqualTo(NEXT);
    }
  }
}
