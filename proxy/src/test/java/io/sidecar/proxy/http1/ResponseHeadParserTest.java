package io.sidecar.proxy.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sidecar.proxy.http1.ResponseHeadParser.Result;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseHeadParserTest {
  private final ResponseHeadParser parser = new ResponseHeadParser(8192);

  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private Result parse(String head) {
    return parser.parse(buf(head));
  }

  /** The dropped lines of the last parse of {@code head} (parsed at reader index 0). */
  private List<String> dropped(String head) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < parser.droppedLines(); i++) {
      if (i > 0) assertThat(parser.droppedLineStart(i)).isGreaterThanOrEqualTo(parser.droppedLineEnd(i - 1));
      lines.add(head.substring(parser.droppedLineStart(i), parser.droppedLineEnd(i)));
    }
    return lines;
  }

  @Test
  void contentLength() {
    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n";
    ByteBuf b = buf(head + "hello world!");
    assertThat(parser.parse(b)).isEqualTo(Result.COMPLETE);
    assertThat(b.readerIndex()).isZero();
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(parser.status()).isEqualTo(200);
    assertThat(parser.http10()).isFalse();
    assertThat(parser.contentLength()).isEqualTo(12);
    assertThat(parser.chunked()).isFalse();
    assertThat(parser.closeDelimited()).isFalse();
    assertThat(parser.keepAlive()).isTrue();
    assertThat(parser.droppedLines()).isZero();
    assertThat(parser.via()).isNull();
    assertThat(parser.header("content-type")).isEqualTo("text/plain");
    assertThat(parser.header("Content-Length")).isEqualTo("12");
    assertThat(parser.header("x-none")).isNull();
  }

  @Test
  void chunkedLineIsKept() {
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(parser.closeDelimited()).isFalse();
    assertThat(parser.keepAlive()).isTrue();
    assertThat(parser.droppedLines()).isZero();
  }

  /** For an HTTP/1.0 client the body goes decoded, so the Transfer-Encoding line is dropped with the chunks. */
  @Test
  void aChunkedLineIsDroppedWhenTheBodyGoesDecoded() {
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n";
    parser.unchunked(true);
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.onlyChunked()).isTrue();
    assertThat(dropped(head)).containsExactly("Transfer-Encoding: chunked\r\n");
    assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.onlyChunked()).as("decoding the chunks would leave gzip").isFalse();
    parser.unchunked(false);
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.droppedLines()).isZero();
  }

  /** A route's response rules: the fields they remove or replace are dropped too, every line of them. */
  @Test
  void fieldsARouteRemovesAreDroppedToo() {
    String head = "HTTP/1.1 200 OK\r\nServer: origin\r\nX-Internal: a\r\nContent-Length: 2\r\nx-internal: b\r\n\r\n";
    parser.alsoDrop(new FieldNames("server", "x-internal"));
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(dropped(head)).containsExactly("Server: origin\r\n", "X-Internal: a\r\n", "x-internal: b\r\n");
    parser.alsoDrop(null);
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.droppedLines()).isZero();
  }

  @Test
  void chunkedAsFinalCoding() {
    assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.closeDelimited()).isFalse();
    // Several fields form one list (RFC 9110 §5.3).
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.droppedLines()).isZero();
  }

  @Test
  void chunkedNotFinalIsCloseDelimited() {
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nX-A: 1\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.chunked()).isFalse();
    assertThat(parser.closeDelimited()).isTrue();
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(parser.keepAlive()).isFalse();
    assertThat(dropped(head)).containsExactly("Transfer-Encoding: chunked, gzip\r\n");
  }

  @Test
  void teWithoutChunkedDropsTeAndContentLength() {
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: gzip\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.closeDelimited()).isTrue();
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(dropped(head)).containsExactly("Content-Length: 10\r\n", "Transfer-Encoding: gzip\r\n");
  }

  @Test
  void neitherLengthNorChunkedIsCloseDelimited() {
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.closeDelimited()).isTrue();
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(parser.chunked()).isFalse();
    assertThat(parser.keepAlive()).isFalse();
    assertThat(parser.persistentConnection()).isTrue();
  }

  @Test
  void contentLengthWithTransferEncodingDropsContentLength() {
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.closeDelimited()).isFalse();
    assertThat(parser.keepAlive()).isFalse(); // suspicious framing: do not reuse the upstream connection
    assertThat(dropped(head)).containsExactly("Content-Length: 5\r\n");
  }

  @Test
  void bodilessStatuses() {
    assertThat(parse("HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.status()).isEqualTo(204);
    assertThat(parser.closeDelimited()).isTrue(); // callers ignore it for 204
    assertThat(parser.keepAlive()).isTrue();

    assertThat(parse("HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.status()).isEqualTo(304);
    assertThat(parser.keepAlive()).isTrue();
    assertThat(parser.header("etag")).isEqualTo("\"a\"");

    String continueHead = "HTTP/1.1 100 Continue\r\n\r\n";
    assertThat(parser.parse(buf(continueHead + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")))
        .isEqualTo(Result.COMPLETE);
    assertThat(parser.status()).isEqualTo(100);
    assertThat(parser.headLength()).isEqualTo(continueHead.length());
    assertThat(parser.keepAlive()).isTrue();

    assertThat(parse("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.status()).isEqualTo(103);
  }

  @Test
  void http10NeedsKeepAlive() {
    assertThat(parse("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.http10()).isTrue();
    assertThat(parser.keepAlive()).isFalse();

    String head = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.keepAlive()).isTrue();
    assertThat(dropped(head)).containsExactly("Connection: Keep-Alive\r\n", "Keep-Alive: timeout=5\r\n");

    assertThat(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.closeDelimited()).isTrue();
    assertThat(parser.keepAlive()).isFalse();

    assertThat(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n"))
        .isEqualTo(Result.COMPLETE);
    assertThat(parser.keepAlive()).isFalse();
  }

  /** The Keep-Alive field's timeout (seconds), for the pool's idle timeout; the field itself is never forwarded. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "timeout=5, max=100 | 5",
      "max=100,timeout=20 | 20",
      "Timeout = 7 | 7",
      "timeout=0 | 0",
      "max=3 | -1",
      "timeout=soon | -1",
      "timeout=-1 | -1",
      "timeout=123456 | -1",
  })
  void keepAliveTimeout(String value, long seconds) {
    String head = "HTTP/1.1 200 OK\r\nKeep-Alive: " + value + "\r\nContent-Length: 0\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.keepAliveTimeoutSeconds()).isEqualTo(seconds);
    assertThat(dropped(head)).containsExactly("Keep-Alive: " + value + "\r\n");
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.keepAliveTimeoutSeconds()).as("none sent").isEqualTo(-1);
  }

  @Test
  void connectionClose() {
    String head = "HTTP/1.1 200 OK\r\nconnection: CLOSE\r\nContent-Length: 0\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.keepAlive()).isFalse();
    assertThat(parser.persistentConnection()).isFalse();
    assertThat(dropped(head)).containsExactly("connection: CLOSE\r\n");
  }

  @Test
  void fieldsNamedByConnectionAreDropped() {
    String head = "HTTP/1.1 200 OK\r\n"
        + "x-custom: before\r\n"
        + "Connection: keep-alive, X-Custom,  x-other \r\n"
        + "X-Customer: kept\r\n"
        + "X-CUSTOM: after\r\n"
        + "X-Other: o\r\n"
        + "Content-Length: 0\r\n"
        + "\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.keepAlive()).isTrue();
    assertThat(dropped(head)).containsExactly("x-custom: before\r\n",
        "Connection: keep-alive, X-Custom,  x-other \r\n", "X-CUSTOM: after\r\n", "X-Other: o\r\n");
  }

  @Test
  void connectionCannotDropTheFramingFields() {
    String head = "HTTP/1.1 200 OK\r\nConnection: Content-Length, Transfer-Encoding\r\nContent-Length: 2\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.contentLength()).isEqualTo(2);
    assertThat(dropped(head)).containsExactly("Connection: Content-Length, Transfer-Encoding\r\n");
  }

  @Test
  void fixedHopByHopFieldsAreDropped() {
    String head = "HTTP/1.1 200 OK\r\n"
        + "Keep-Alive: timeout=5\r\n"
        + "Proxy-Connection: keep-alive\r\n"
        + "TE: trailers\r\n"
        + "Trailer: X-Sum\r\n"
        + "Upgrade: h2c\r\n"
        + "Proxy-Authenticate: Basic\r\n"
        + "Proxy-Authorization: Basic eDp5\r\n"
        + "Server: s\r\n"
        + "Content-Length: 0\r\n"
        + "\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(dropped(head)).hasSize(7).noneMatch(line -> line.startsWith("Server") || line.startsWith("Content"));
  }

  @Test
  void viaIsCapturedAndDropped() {
    String head = "HTTP/1.1 200 OK\r\nVia: 1.1 upstream-a\r\nContent-Length: 0\r\nvia:  1.0 b \r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.via()).isEqualTo("1.1 upstream-a, 1.0 b");
    assertThat(dropped(head)).containsExactly("Via: 1.1 upstream-a\r\n", "via:  1.0 b \r\n");

    assertThat(parse("HTTP/1.1 200 OK\r\nVia: 1.1 x\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.via()).isEqualTo("1.1 x");
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.via()).isNull();
  }

  @Test
  void equalContentLengthsAreFineAndGoOnAsOne() {
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX: 1\r\ncontent-length: 7\r\nContent-Length: 7\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.COMPLETE);
    assertThat(parser.contentLength()).isEqualTo(7);
    assertThat(parser.keepAlive()).isTrue();
    assertThat(dropped(head)).containsExactly("content-length: 7\r\n", "Content-Length: 7\r\n");
  }

  @Test
  void noFramingFieldGoesOnIn204Or1xx() { // RFC 9110 §8.6, §6.1
    String noContent = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nDate: x\r\n\r\n";
    assertThat(parse(noContent)).isEqualTo(Result.COMPLETE);
    assertThat(dropped(noContent)).containsExactly("Content-Length: 5\r\n");
    String chunked204 = "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertThat(parse(chunked204)).isEqualTo(Result.COMPLETE);
    assertThat(dropped(chunked204)).containsExactly("Transfer-Encoding: chunked\r\n");
    String hints = "HTTP/1.1 103 Early Hints\r\nContent-Length: 0\r\nLink: </a.css>\r\n\r\n";
    assertThat(parse(hints)).isEqualTo(Result.COMPLETE);
    assertThat(dropped(hints)).containsExactly("Content-Length: 0\r\n");
    String notModified = "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"; // a 304 may say the length
    assertThat(parse(notModified)).isEqualTo(Result.COMPLETE);
    assertThat(parser.droppedLines()).isZero();
  }

  @Test
  void reasonMayBeMissingAndLinesMayEndInBareLf() {
    assertThat(parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.status()).isEqualTo(200);
    assertThat(parse("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.status()).isEqualTo(404);

    assertThat(parser.bareLineEnds()).isFalse();
    String head = "HTTP/1.1 200 OK\nConnection: close\nContent-Length: 4\r\n\n";
    assertThat(parser.parse(buf(head + "body"))).isEqualTo(Result.COMPLETE);
    assertThat(parser.bareLineEnds()).isTrue();
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(parser.contentLength()).isEqualTo(4);
    assertThat(parser.header("connection")).isEqualTo("close");
    assertThat(dropped(head)).containsExactly("Connection: close\n");
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n")).isEqualTo(Result.COMPLETE); // the blank line only
    assertThat(parser.bareLineEnds()).isTrue();
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.bareLineEnds()).isFalse();
  }

  @Test
  void offsetsAreRelativeToTheReaderIndex() {
    String head = "HTTP/1.1 200 OK\r\nVia: 1.1 a\r\nContent-Length: 1\r\n\r\n";
    ByteBuf b = buf("previous body" + head + "x");
    b.readerIndex("previous body".length());
    assertThat(parser.parse(b)).isEqualTo(Result.COMPLETE);
    assertThat(b.readerIndex()).isEqualTo("previous body".length());
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(dropped(head)).containsExactly("Via: 1.1 a\r\n");
    assertThat(parser.via()).isEqualTo("1.1 a");
  }

  @Test
  void incompleteUntilTheBlankLineAtEverySplit() {
    String head = "HTTP/1.1 200 OK\r\nConnection: x-a\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < head.length(); i++) {
      assertThat(parse(head.substring(0, i))).as("first %d bytes", i).isEqualTo(Result.INCOMPLETE);
    }
    assertThat(parse(head + "5\r\nhello\r\n0\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(parser.chunked()).isTrue();
    assertThat(dropped(head)).containsExactly("Connection: x-a\r\n", "X-A: 1\r\n");
  }

  @Test
  void overMaxHeadBytesIsMalformed() {
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assertThat(new ResponseHeadParser(head.length()).parse(buf(head))).isEqualTo(Result.COMPLETE);
    ResponseHeadParser small = new ResponseHeadParser(head.length() - 1);
    assertThat(small.parse(buf(head.substring(0, head.length() - 2)))).isEqualTo(Result.INCOMPLETE);
    assertThat(small.parse(buf(head))).isEqualTo(Result.MALFORMED);
  }

  @Test
  void stateIsResetBetweenParses() {
    assertThat(parse("HTTP/1.0 200 OK\r\nVia: a\r\nConnection: close, x\r\nContent-Length: 5\r\n\r\n"))
        .isEqualTo(Result.COMPLETE);
    assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")).isEqualTo(Result.MALFORMED);
    assertThat(parse("HTTP/1.1 200 OK\r\nX: 1\r\n\r\n")).isEqualTo(Result.COMPLETE);
    assertThat(parser.http10()).isFalse();
    assertThat(parser.via()).isNull();
    assertThat(parser.droppedLines()).isZero();
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(parser.persistentConnection()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: \"chunked\"\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked x\r\n\r\n",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "HTTP/1.1 600 Odd\r\n\r\n",
      "HTTP/1.1 099 Odd\r\n\r\n",
      "HTTP/1.1  200 OK\r\n\r\n",
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.2 200 OK\r\n\r\n",
      "http/1.1 200 OK\r\n\r\n",
      "HTTP/1.1 200 O\u0001K\r\n\r\n",
      "\r\nHTTP/1.1 200 OK\r\n\r\n",
      "ICY 200 OK\r\n\r\n"})
  void malformed(String head) {
    assertThat(parse(head)).isEqualTo(Result.MALFORMED);
  }
}
