package io.sidecar.proxy.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedBodyScannerTest {
  /** Touches every state: extensions with BWS, upper/lower hex, empty-looking data, trailers, bare LFs. */
  private static final String SAMPLE = "5;name=value\r\nhello\r\n"
      + "A ; a = \"q;\" ;b\r\n0123456789\r\n"
      + "1\nX\n"
      + "0a\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
      + "0000\r\n"
      + "X-Checksum: abc\r\n"
      + "x-t:\tv\n"
      + "\r\n";
  private static final String NEXT = "HTTP/1.1 200 OK\r\n\r\n";

  private final ChunkedBodyScanner scanner = new ChunkedBodyScanner();

  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  /** Feeds {@code body} in pieces cut at {@code cuts}; returns the total accepted, or -1. */
  private int feed(String body, int... cuts) {
    int total = 0;
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : body.length();
      int n = scanner.scan(buf(body.substring(from, to)));
      if (n < 0) return -1;
      assertThat(n).isLessThanOrEqualTo(to - from);
      total += n;
      from = to;
    }
    return total;
  }

  @Test
  void simple() {
    String body = "5\r\nhello\r\n0\r\n\r\n";
    ByteBuf b = buf(body);
    assertThat(scanner.scan(b)).isEqualTo(body.length());
    assertThat(scanner.done()).isTrue();
    assertThat(b.readerIndex()).isZero();
    assertThat(b.writerIndex()).isEqualTo(body.length());
  }

  /** Decoding for an HTTP/1.0 client: the data spans of each buffer, across splits, are exactly the chunk data. */
  @Test
  void notesTheDataSpansWhenAsked() {
    String body = "5;x=y\r\nhello\r\nB\r\n, world and\r\n1\nX\n0\r\nT: v\r\n\r\n";
    for (int cut = 0; cut <= body.length(); cut++) {
      scanner.reset(true);
      StringBuilder data = new StringBuilder();
      int total = 0;
      for (String piece : new String[] {body.substring(0, cut), body.substring(cut)}) {
        ByteBuf b = buf("ab" + piece).skipBytes(2); // spans are absolute indices
        int n = scanner.scan(b);
        total += n;
        for (int i = 0; i < scanner.dataSpans(); i++) {
          data.append(b.toString(scanner.dataStart(i), scanner.dataEnd(i) - scanner.dataStart(i), StandardCharsets.ISO_8859_1));
        }
      }
      assertThat(total).as("cut at %d", cut).isEqualTo(body.length());
      assertThat(data.toString()).as("cut at %d", cut).isEqualTo("hello, world andX");
      assertThat(scanner.done()).isTrue();
    }
    scanner.reset();
    scanner.scan(buf("5\r\nhello\r\n"));
    assertThat(scanner.dataSpans()).as("not noted unless asked").isZero();
  }

  @Test
  void notesTheTrailerLinesWhenAskedWhereverTheReadsSplitThem() {
    String body = "5\r\nhello\r\n0\r\nT: v\r\nServer-Timing: db;dur=53\nX: \r\n\r\n";
    for (int cut = 0; cut <= body.length(); cut++) {
      scanner.reset(true);
      scanner.scan(buf(body.substring(0, cut)));
      scanner.scan(buf(body.substring(cut)));
      assertThat(scanner.done()).isTrue();
      assertThat(scanner.trailerSection()).as("cut at %d", cut).isEqualTo("T: v\r\nServer-Timing: db;dur=53\nX: \r\n");
    }
    scanner.reset(true);
    scanner.scan(buf("5\r\nhello\r\n0\r\n\r\n"));
    assertThat(scanner.trailerSection()).isNull();
    scanner.reset(false); // not noting: nothing kept
    scanner.scan(buf(body));
    assertThat(scanner.trailerSection()).isNull();
  }

  @Test
  void emptyBody() {
    assertThat(scanner.scan(buf("0\r\n\r\n"))).isEqualTo(5);
    assertThat(scanner.done()).isTrue();
  }

  @Test
  void notDoneUntilTheFinalEmptyLine() {
    assertThat(scanner.scan(buf("5\r\nhello\r\n0\r\n"))).isEqualTo(13);
    assertThat(scanner.done()).isFalse();
    assertThat(scanner.scan(buf("\r"))).isEqualTo(1);
    assertThat(scanner.done()).isFalse();
    assertThat(scanner.scan(buf("\n"))).isEqualTo(1);
    assertThat(scanner.done()).isTrue();
  }

  @Test
  void chunkExtensionsAreSkipped() {
    String body = "5;ext\r\nhello\r\n3 ; a = \"b c\"\r\nabc\r\n0;last=1\r\n\r\n";
    assertThat(scanner.scan(buf(body))).isEqualTo(body.length());
    assertThat(scanner.done()).isTrue();
  }

  @Test
  void trailers() {
    String body = "3\r\nabc\r\n0\r\nX-Sum: 42\r\nExpires:\r\n\r\n";
    assertThat(scanner.scan(buf(body))).isEqualTo(body.length());
    assertThat(scanner.done()).isTrue();
  }

  @Test
  void bareLfLineEnds() {
    String body = "5\nhello\n0\nX: y\n\n";
    assertThat(scanner.scan(buf(body))).isEqualTo(body.length());
    assertThat(scanner.done()).isTrue();
  }

  /**
   * Each line ended by a bare LF is reported where its LF is, wherever the reads split the body: size lines (with and
   * without an extension), the end of chunk data, trailer lines and the final line; not an LF inside chunk data nor
   * one after a CR; and those before a malformed byte too.
   */
  @Test
  void reportsTheBareLfsEndingLines() {
    String body = "6;x\nhel\nlo\n3\r\nabc\r\n2\nzz\n0\nT: v\nU: w\r\n\n";
    List<Integer> expected = List.of(3, 10, 20, 23, 25, 30, 37); // not 7, in the data
    for (int cut = 0; cut <= body.length(); cut++) {
      scanner.reset();
      List<Integer> seen = new ArrayList<>();
      int first = scanner.scan(buf(body.substring(0, cut)));
      for (int i = 0; i < scanner.bareLineEnds(); i++) seen.add(scanner.bareLineEnd(i));
      ByteBuf rest = buf("...." + body.substring(cut)).readerIndex(4); // indices absolute in the buffer scanned
      int second = scanner.scan(rest);
      for (int i = 0; i < scanner.bareLineEnds(); i++) seen.add(scanner.bareLineEnd(i) - 4 + cut);
      assertThat(first + second).as("cut at %d", cut).isEqualTo(body.length());
      assertThat(seen).as("cut at %d", cut).isEqualTo(expected);
    }
    scanner.reset();
    assertThat(scanner.scan(buf("3\nabc\nzz\n"))).isEqualTo(-1);
    assertThat(scanner.bareLineEnds()).isEqualTo(2);
    assertThat(scanner.bareLineEnd(1)).isEqualTo(5);
    scanner.reset();
    assertThat(scanner.scan(buf(SAMPLE.replace("\r\n", "\n").replace("\n", "\r\n")))).isPositive();
    assertThat(scanner.bareLineEnds()).isZero();
  }

  @Test
  void sampleInOneBuffer() {
    assertThat(scanner.scan(buf(SAMPLE))).isEqualTo(SAMPLE.length());
    assertThat(scanner.done()).isTrue();
  }

  @Test
  void splitAtEveryByte() {
    for (int i = 0; i <= SAMPLE.length(); i++) {
      scanner.reset();
      assertThat(feed(SAMPLE, i)).as("cut at %d", i).isEqualTo(SAMPLE.length());
      assertThat(scanner.done()).as("cut at %d", i).isTrue();
    }
  }

  @Test
  void splitAtEveryPairOfPositions() {
    for (int i = 0; i <= SAMPLE.length(); i++) {
      for (int j = i; j <= SAMPLE.length(); j++) {
        scanner.reset();
        assertThat(feed(SAMPLE + NEXT, i, j)).as("cuts %d, %d", i, j).isEqualTo(SAMPLE.length());
        assertThat(scanner.done()).isTrue();
      }
    }
  }

  @Test
  void byteByByte() {
    for (int i = 0; i < SAMPLE.length(); i++) {
      assertThat(scanner.done()).as("before byte %d", i).isFalse();
      assertThat(scanner.scan(buf(SAMPLE.substring(i, i + 1)))).as("byte %d", i).isEqualTo(1);
    }
    assertThat(scanner.done()).isTrue();
    assertThat(scanner.scan(buf("x"))).isZero();
  }

  @Test
  void bytesAfterTheEndAreNotCounted() {
    String body = "4\r\nwiki\r\n0\r\n\r\n";
    ByteBuf b = buf("prefix" + body + NEXT);
    b.readerIndex("prefix".length());
    assertThat(scanner.scan(b)).isEqualTo(body.length());
    assertThat(scanner.done()).isTrue();
    assertThat(b.readerIndex()).isEqualTo("prefix".length());
    assertThat(scanner.scan(buf(NEXT))).isZero();
  }

  @Test
  void largeChunksAcrossBuffers() {
    String data = "z".repeat(70_000);
    String body = Integer.toHexString(data.length()) + "\r\n" + data + "\r\n0\r\n\r\n";
    assertThat(feed(body, 10, 30_000, 69_999, 70_007)).isEqualTo(body.length());
    assertThat(scanner.done()).isTrue();
  }

  @Test
  void fifteenHexDigitsAreAccepted() {
    assertThat(scanner.scan(buf("00000000000000a\r\n0123456789\r\n0\r\n\r\n"))).isEqualTo(34);
    assertThat(scanner.done()).isTrue();
    scanner.reset();
    assertThat(scanner.scan(buf("fffffffffffffff\r\nabc"))).isEqualTo(20);
    assertThat(scanner.done()).isFalse();
  }

  @Test
  void resetStartsAFreshBody() {
    assertThat(scanner.scan(buf("g\r\n"))).isEqualTo(-1);
    assertThat(scanner.scan(buf("0\r\n\r\n"))).isEqualTo(-1); // stays failed
    scanner.reset();
    assertThat(scanner.scan(buf("3\r\nab"))).isEqualTo(5);
    scanner.reset();
    assertThat(scanner.scan(buf("0\r\n\r\n"))).isEqualTo(5);
    assertThat(scanner.done()).isTrue();
    scanner.reset();
    assertThat(scanner.done()).isFalse();
  }

  @Test
  void sizeLineAndTrailerLinesAreLimited() {
    String ext = "1;" + "e".repeat(8 * 1024) + "\r\n";
    assertThat(scanner.scan(buf(ext))).isEqualTo(-1);
    scanner.reset();
    String fits = "1;" + "e".repeat(8 * 1024 - 3) + "\r\nx\r\n0\r\n\r\n";
    assertThat(scanner.scan(buf(fits))).isEqualTo(fits.length());
    scanner.reset();
    String trailer = "0\r\nX: " + "v".repeat(8 * 1024) + "\r\n\r\n";
    assertThat(scanner.scan(buf(trailer))).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "5\r\nhelloX\r\n0\r\n\r\n",          // data longer than its size
      "5\r\nhel\r\n0\r\n\r\n",             // data shorter: the CRLF is taken as data, then "0" is no line end
      "5\r\nhello\r0\r\n\r\n",             // CR after data not followed by LF
      "5\r\nhello\rX0\r\n\r\n",            // CR after data followed by another byte
      "5\r\nhello0\r\n\r\n",               // no line end after data
      "g\r\nabc\r\n",                      // non-hex size
      "\r\nabc\r\n",                       // empty size
      "-5\r\nhello\r\n",                   // sign
      "0x5\r\nhello\r\n",                  // 0x prefix
      " 5\r\nhello\r\n",                   // leading whitespace
      "5 \r\nhello\r\n0\r\n\r\n",          // whitespace without an extension
      "5\rhello\r\n",                      // CR in the size line not followed by LF
      "5;a\rb\r\nhello\r\n",               // bare CR in an extension
      "5;a\u0000\r\nhello\r\n",            // NUL in an extension
      "0000000000000001\r\nx\r\n0\r\n\r\n", // 16 hex digits
      "10000000000000000\r\n",             // overflow
      "0\r\n X: folded\r\n\r\n",           // obs-fold in the trailer section
      "0\r\nNoColon\r\n\r\n",              // trailer line without a colon
      "0\r\nX : y\r\n\r\n",                // whitespace before a trailer colon
      "0\r\nX: a\u0000\r\n\r\n",           // NUL in a trailer value
      "0\r\nX: y\rZ\r\n\r\n",              // bare CR in a trailer
      "0\r\n\rX"})                         // CR of the final line not followed by LF
  void malformed(String body) {
    assertThat(scanner.scan(buf(body))).isEqualTo(-1);
    assertThat(scanner.done()).isFalse();
    // Wherever the body is cut, the verdict is the same.
    for (int i = 0; i <= body.length(); i++) {
      scanner.reset();
      assertThat(feed(body, i)).as("cut at %d", i).isEqualTo(-1);
    }
  }

  /** A request body: only CRLF ends a line, wherever it is cut; the same bodies with CRLF pass. */
  @ParameterizedTest
  @ValueSource(strings = {
      "5\nhello\r\n0\r\n\r\n",          // bare LF after the size
      "5;a=b\nhello\r\n0\r\n\r\n",      // bare LF after an extension
      "5\r\nhello\n0\r\n\r\n",          // bare LF after the data
      "5\r\nhello\r\n0\n\r\n",          // bare LF after the last chunk
      "5\r\nhello\r\n0\r\nX: y\n\r\n", // bare LF after a trailer
      "5\r\nhello\r\n0\r\n\n"})         // bare LF as the final line
  void strictScannerRefusesABareLf(String body) {
    ChunkedBodyScanner strict = ChunkedBodyScanner.strict();
    for (int i = 0; i <= body.length(); i++) {
      strict.reset();
      int a = strict.scan(buf(body.substring(0, i)));
      int b = a < 0 ? -1 : strict.scan(buf(body.substring(i)));
      assertThat(b).as("cut at %d", i).isEqualTo(-1);
    }
    scanner.reset();
    assertThat(scanner.scan(buf(body))).as("lenient").isEqualTo(body.length());
    String crlf = body.replace("\r\n", "\n").replace("\n", "\r\n");
    strict.reset();
    assertThat(strict.scan(buf(crlf))).isEqualTo(crlf.length());
    assertThat(strict.done()).isTrue();
  }

  /** The declared length counts each chunk's size as its size line ends, before its data has come. */
  @Test
  void declaredLengthCountsSizesAsTheyAreRead() {
    scanner.reset();
    assertThat(scanner.scan(buf("5\r\nhel"))).isEqualTo(6);
    assertThat(scanner.declaredLength()).isEqualTo(5);
    assertThat(scanner.scan(buf("lo\r\n1f4;x\r\n"))).isEqualTo(11);
    assertThat(scanner.declaredLength()).isEqualTo(5 + 500);
    scanner.reset();
    assertThat(scanner.declaredLength()).isZero();
  }
}
