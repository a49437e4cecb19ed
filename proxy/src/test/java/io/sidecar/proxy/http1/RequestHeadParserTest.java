package io.sidecar.proxy.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sidecar.proxy.http1.RequestHeadParser.Result;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestHeadParserTest {
  private static final String GET = "GET /index.html?a=1&b=%20 HTTP/1.1\r\n"
      + "Host: Example.COM:8080\r\n"
      + "User-Agent: test/1.0\r\n"
      + "Accept: */*\r\n"
      + "\r\n";

  private final RequestHeadParser parser = new RequestHeadParser(8192);

  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  /** The bytes after {@code prefix}, with readerIndex past the prefix: offsets must be relative to it. */
  private static ByteBuf bufAfter(String prefix, String s) {
    ByteBuf b = buf(prefix + s);
    b.readerIndex(prefix.length());
    return b;
  }

  private static String slice(String s, int start, int end) {
    return s.substring(start, end);
  }

  private Result parse(String head) {
    return parser.parse(buf(head));
  }

  @Test
  void fieldsAndTargetAsSent() {
    ByteBuf b = bufAfter("xx", "GET /c/x?a=%20 HTTP/1.1\r\nHost: h\r\nIf-None-Match:  \"v1\" \t\r\nX-Empty:\r\n\r\n");
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    assertThat(parser.target()).isEqualTo("/c/x?a=%20");
    java.util.List<String> fields = new java.util.ArrayList<>();
    parser.forEachField((name, value) -> fields.add(name + "=[" + value + "]"));
    assertThat(fields).containsExactly("Host=[h]", "If-None-Match=[\"v1\"]", "X-Empty=[]");
  }

  @Test
  void typicalGet() {
    ByteBuf b = buf(GET);
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    assertThat(parser.headLength()).isEqualTo(GET.length());
    assertThat(parser.method()).isSameAs("GET");
    assertThat(slice(GET, parser.targetStart(), parser.targetEnd())).isEqualTo("/index.html?a=1&b=%20");
    assertThat(parser.path()).isEqualTo("/index.html");
    assertThat(parser.query()).isEqualTo("a=1&b=%20");
    assertThat(parser.host()).isEqualTo("example.com");
    assertThat(parser.authority()).isEqualTo("Example.COM:8080");
    assertThat(parser.contentLength()).isZero();
    assertThat(parser.persistent()).isTrue();
    assertThat(parser.droppedLines()).isZero();
    assertThat(parser.forwardedFor()).isNull();
    assertThat(parser.via()).isNull();
    assertThat(parser.hasForwardedHost()).isFalse();
    assertThat(b.readerIndex()).isZero();
    assertThat(b.writerIndex()).isEqualTo(GET.length());
  }

  @Test
  void postWithContentLengthExcludesTheBody() {
    String head = "POST /submit HTTP/1.1\r\nHost: api\r\nContent-Length:  5 \r\nContent-Type: text/plain\r\n\r\n";
    assertThat(parser.parse(buf(head + "hello"))).isEqualTo(Result.SIMPLE);
    assertThat(parser.method()).isSameAs("POST");
    assertThat(parser.contentLength()).isEqualTo(5);
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(parser.path()).isEqualTo("/submit");
    assertThat(parser.query()).isNull();
    assertThat(parser.header("content-length")).isEqualTo("5");
  }

  @Test
  void largestContentLengthHas18Digits() {
    assertThat(parse("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n\r\n"))
        .isEqualTo(Result.SIMPLE);
    assertThat(parser.contentLength()).isEqualTo(999_999_999_999_999_999L);
    assertThat(parse("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 0000000000000000001\r\n\r\n"))
        .isEqualTo(Result.UNSUPPORTED);
  }

  @Test
  void offsetsAreRelativeToTheReaderIndexAndIndicesAreUntouched() {
    String head = "GET /a?b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    ByteBuf b = bufAfter("previous response bytes", head);
    int reader = b.readerIndex();
    int writer = b.writerIndex();
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    assertThat(b.readerIndex()).isEqualTo(reader);
    assertThat(b.writerIndex()).isEqualTo(writer);
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(slice(head, parser.targetStart(), parser.targetEnd())).isEqualTo("/a?b");
    assertThat(slice(head, parser.droppedLineStart(0), parser.droppedLineEnd(0))).isEqualTo("Connection: close\r\n");
    assertThat(parser.path()).isEqualTo("/a");
    assertThat(parser.query()).isEqualTo("b");
    assertThat(parser.host()).isEqualTo("h");
    assertThat(parser.persistent()).isFalse();
  }

  @Test
  void incompleteUntilTheBlankLineAtEverySplit() {
    String head = "POST /p?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n";
    for (int i = 0; i < head.length(); i++) {
      assertThat(parser.parse(bufAfter("xx", head.substring(0, i)))).as("first %d bytes", i)
          .isEqualTo(Result.INCOMPLETE);
    }
    assertThat(parser.parse(bufAfter("xx", head))).isEqualTo(Result.SIMPLE);
    assertThat(parser.headLength()).isEqualTo(head.length());
    assertThat(parser.contentLength()).isEqualTo(3);
    assertThat(parser.parse(bufAfter("xx", head + "abc"))).isEqualTo(Result.SIMPLE);
    assertThat(parser.headLength()).isEqualTo(head.length());
  }

  @Test
  void pipelinedRequestIsNotPartOfTheHead() {
    String first = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n";
    String second = "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
    ByteBuf b = buf(first + second);
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    assertThat(parser.headLength()).isEqualTo(first.length());
    assertThat(parser.path()).isEqualTo("/1");

    b.readerIndex(parser.headLength());
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    assertThat(parser.headLength()).isEqualTo(second.length());
    assertThat(parser.path()).isEqualTo("/2");
    assertThat(slice(second, parser.targetStart(), parser.targetEnd())).isEqualTo("/2");
  }

  @Test
  void pipelinedGarbageAfterTheHeadIsIgnored() {
    assertThat(parser.parse(buf("GET / HTTP/1.1\r\nHost: h\r\n\r\n\u0000\r\nTransfer-Encoding: chunked\r\n")))
        .isEqualTo(Result.SIMPLE);
  }

  @Test
  void stringsAreLazyAndCachedUntilTheNextParse() {
    assertThat(parse(GET)).isEqualTo(Result.SIMPLE);
    String path = parser.path();
    assertThat(parser.path()).isSameAs(path);
    assertThat(parser.query()).isSameAs(parser.query());
    assertThat(parser.host()).isSameAs(parser.host());
    assertThat(parser.authority()).isSameAs(parser.authority());

    assertThat(parse("GET /other HTTP/1.1\r\nHost: b\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.path()).isEqualTo("/other");
    assertThat(parser.query()).isNull();
    assertThat(parser.host()).isEqualTo("b");
    assertThat(parser.authority()).isEqualTo("b");
  }

  @Test
  void stringsReadTheBufferOnlyWhenAsked() {
    ByteBuf b = buf("GET /abc HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    b.setByte(parser.targetStart() + 1, 'x'); // still lazy: path() sees the bytes as they are now
    assertThat(parser.path()).isEqualTo("/xbc");
    b.setByte(parser.targetStart() + 1, 'y'); // cached now
    assertThat(parser.path()).isEqualTo("/xbc");
  }

  @Test
  void queryMayBeEmptyAndOnlyTheFirstQuestionMarkSplits() {
    assertThat(parse("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.path()).isEqualTo("/a");
    assertThat(parser.query()).isEmpty();
    assertThat(parse("GET /a?b?c HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.path()).isEqualTo("/a");
    assertThat(parser.query()).isEqualTo("b?c");
  }

  @Test
  void hostWithPortAndIpv6Literals() {
    assertThat(parse("GET / HTTP/1.1\r\nHOST:\tApi.Example.org:443 \t\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.host()).isEqualTo("api.example.org");
    assertThat(parser.authority()).isEqualTo("Api.Example.org:443");

    assertThat(parse("GET / HTTP/1.1\r\nHost: h:65535\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parse("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.host()).isEqualTo("[::1]");
    assertThat(parser.authority()).isEqualTo("[::1]:8443");

    assertThat(parse("GET / HTTP/1.1\r\nHost: [2001:DB8::A]\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.host()).isEqualTo("[2001:db8::a]");
    assertThat(parser.authority()).isEqualTo("[2001:DB8::A]");

    assertThat(parse("GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.host()).isEqualTo("10.0.0.1");
  }

  @Test
  void droppedLinesCoverExactlyTheLines() {
    String head = "GET / HTTP/1.1\r\n"
        + "Host: h\r\n"
        + "Connection: keep-alive\r\n"
        + "X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n"
        + "Accept: */*\r\n"
        + "x-forwarded-proto: https\r\n"
        + "VIA: 1.1 edge\r\n"
        + "X-Forwarded-Host: public.example\r\n"
        + "connection: Close\r\n"
        + "\r\n";
    assertThat(parser.parse(bufAfter("junk", head))).isEqualTo(Result.SIMPLE);
    assertThat(parser.droppedLines()).isEqualTo(5);
    assertThat(slice(head, parser.droppedLineStart(0), parser.droppedLineEnd(0))).isEqualTo("Connection: keep-alive\r\n");
    assertThat(slice(head, parser.droppedLineStart(1), parser.droppedLineEnd(1)))
        .isEqualTo("X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n");
    assertThat(slice(head, parser.droppedLineStart(2), parser.droppedLineEnd(2))).isEqualTo("x-forwarded-proto: https\r\n");
    assertThat(slice(head, parser.droppedLineStart(3), parser.droppedLineEnd(3))).isEqualTo("VIA: 1.1 edge\r\n");
    assertThat(slice(head, parser.droppedLineStart(4), parser.droppedLineEnd(4))).isEqualTo("connection: Close\r\n");
    for (int i = 1; i < parser.droppedLines(); i++) {
      assertThat(parser.droppedLineStart(i)).isGreaterThanOrEqualTo(parser.droppedLineEnd(i - 1));
    }
    assertThat(parser.forwardedFor()).isEqualTo("10.0.0.1, 10.0.0.2");
    assertThat(parser.via()).isEqualTo("1.1 edge");
    assertThat(parser.hasForwardedHost()).isTrue();
    assertThat(parser.persistent()).isFalse();

    // What the proxy forwards: the head without the dropped lines.
    StringBuilder kept = new StringBuilder();
    int from = 0;
    for (int i = 0; i < parser.droppedLines(); i++) {
      kept.append(head, from, parser.droppedLineStart(i));
      from = parser.droppedLineEnd(i);
    }
    kept.append(head, from, parser.headLength());
    assertThat(kept.toString()).isEqualTo(
        "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-Forwarded-Host: public.example\r\n\r\n");
    assertThatThrownBy(() -> parser.droppedLineStart(5)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void connectionTokens() {
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.persistent()).isTrue();
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: , Keep-Alive ,\t,CLOSE\r\n\r\n"))
        .isEqualTo(Result.SIMPLE);
    assertThat(parser.persistent()).isFalse();
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection:\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.persistent()).isTrue();
    assertThat(parser.droppedLines()).isEqualTo(1);
  }

  /** A route's header rules: the named fields' lines merge in order with the parser's own dropped lines. */
  @Test
  void droppedWithMergesTheNamedFieldsLinesInOrder() {
    String head = "GET / HTTP/1.1\r\nHost: h\r\nX-Debug: 1\r\nConnection: keep-alive\r\nCookie: a\r\nVia: 1.1 x\r\n"
        + "x-debug: 2\r\nAccept: */*\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.SIMPLE);
    DroppedLines lines = parser.droppedWith(new FieldNames("x-debug", "cookie"));
    List<String> dropped = new ArrayList<>();
    for (int i = 0; i < lines.droppedLines(); i++) dropped.add(slice(head, lines.droppedLineStart(i), lines.droppedLineEnd(i)));
    assertThat(dropped).containsExactly("X-Debug: 1\r\n", "Connection: keep-alive\r\n", "Cookie: a\r\n", "Via: 1.1 x\r\n",
        "x-debug: 2\r\n");
    assertThat(parser.droppedWith(new FieldNames("x-none")).droppedLines()).isEqualTo(parser.droppedLines());
  }

  /** RFC 9110 §10.1.1: the one expectation defined is taken (case-insensitive) and its line not forwarded. */
  @Test
  void expect100ContinueIsTakenAndDropped() {
    String head = "POST / HTTP/1.1\r\nHost: h\r\nExpect:  100-Continue \r\nContent-Length: 3\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.SIMPLE);
    assertThat(parser.expectsContinue()).isTrue();
    assertThat(parser.droppedLines()).isEqualTo(1);
    assertThat(slice(head, parser.droppedLineStart(0), parser.droppedLineEnd(0))).isEqualTo("Expect:  100-Continue \r\n");
    assertThat(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.expectsContinue()).isFalse();
  }

  /** RFC 9112 §9.3: an HTTP/1.0 connection persists only when the client lists keep-alive. */
  @Test
  void anHttp10HeadWithHostIsTakenAndPersistsOnlyWithKeepAlive() {
    assertThat(parse("GET / HTTP/1.0\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.http10()).isTrue();
    assertThat(parser.persistent()).isFalse();
    assertThat(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: h\r\nUser-Agent: ApacheBench/2.3\r\n\r\n"))
        .isEqualTo(Result.SIMPLE);
    assertThat(parser.http10()).isTrue();
    assertThat(parser.persistent()).isTrue();
    assertThat(parser.droppedLines()).isEqualTo(1);
    assertThat(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.persistent()).isFalse();
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.http10()).isFalse();
    assertThat(parser.persistent()).isTrue();
  }

  @Test
  void anUpgradeFieldWithoutUpgradeInConnectionIsDroppedAndWithItTheHeadGoesToVertx() {
    String head = "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nX-A: b\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.SIMPLE);
    assertThat(parser.droppedLines()).isEqualTo(1);
    assertThat(slice(head, parser.droppedLineStart(0), parser.droppedLineEnd(0))).isEqualTo("Upgrade: h2c\r\n");
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"))
        .isEqualTo(Result.UNSUPPORTED);
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: keep-alive, upgrade\r\n\r\n"))
        .isEqualTo(Result.UNSUPPORTED);
  }

  @Test
  void headerLookupIsCaseInsensitiveTrimmedAndFirst() {
    String head = "GET / HTTP/1.1\r\nHost: h\r\nX-Tenant:  \t acme corp \t\r\nx-tenant: second\r\nX-Empty:\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.SIMPLE);
    assertThat(parser.header("x-tenant")).isEqualTo("acme corp");
    assertThat(parser.header("X-TENANT")).isEqualTo("acme corp");
    assertThat(parser.header("x-empty")).isEmpty();
    assertThat(parser.header("host")).isEqualTo("h");
    assertThat(parser.header("x-missing")).isNull();
    assertThat(parser.header("x-tenan")).isNull();
  }

  @Test
  void obsTextInValuesIsAllowed() {
    ByteBuf b = Unpooled.buffer();
    b.writeBytes("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf".getBytes(StandardCharsets.US_ASCII));
    b.writeByte(0xE9);
    b.writeByte(0xFF);
    b.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(parser.parse(b)).isEqualTo(Result.SIMPLE);
    assertThat(parser.header("x-name")).isEqualTo("caf\u00e9\u00ff");
  }

  @Test
  void knownMethodsAreConstants() {
    for (String m : new String[] {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
      assertThat(parse(m + " / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
      assertThat(parser.method()).isSameAs(m);
    }
    assertThat(parse("PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.method()).isEqualTo("PURGE");
    // Methods are case-sensitive (RFC 9110 §9.1): "get" is another (token) method.
    assertThat(parse("get / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.method()).isEqualTo("get").isNotSameAs("GET");
  }

  @Test
  void headMustFitInMaxHeadBytes() {
    String head = "GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(20) + "\r\n\r\n";
    RequestHeadParser exact = new RequestHeadParser(head.length());
    assertThat(exact.parse(buf(head))).isEqualTo(Result.SIMPLE);
    assertThat(exact.parse(buf(head + "GET"))).isEqualTo(Result.SIMPLE);
    RequestHeadParser small = new RequestHeadParser(head.length() - 1);
    assertThat(small.parse(buf(head))).isEqualTo(Result.UNSUPPORTED);
    assertThat(small.parse(buf(head.substring(0, head.length() - 2)))).isEqualTo(Result.INCOMPLETE);
    assertThat(small.parse(buf(head.substring(0, head.length() - 1)))).isEqualTo(Result.UNSUPPORTED);
    assertThat(parser.parse(buf("GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(9000)))).isEqualTo(Result.UNSUPPORTED);
  }

  @Test
  void stateIsResetBetweenParses() {
    assertThat(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\nConnection: close\r\nVia: 1.0 a\r\n"
        + "X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-Host: f\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n")).isEqualTo(Result.UNSUPPORTED);
    assertThat(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.chunked()).isTrue();
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(Result.SIMPLE);
    assertThat(parser.chunked()).isFalse();
    assertThat(parser.hasBody()).isFalse();
    assertThat(parser.contentLength()).isZero();
    assertThat(parser.persistent()).isTrue();
    assertThat(parser.droppedLines()).isZero();
    assertThat(parser.via()).isNull();
    assertThat(parser.forwardedFor()).isNull();
    assertThat(parser.hasForwardedHost()).isFalse();
  }

  @Test
  void accessorsNeedASimpleHead() {
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\n")).isEqualTo(Result.INCOMPLETE);
    assertThatThrownBy(parser::path).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> parser.header("host")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void emptyBufferIsIncomplete() {
    assertThat(parser.parse(Unpooled.EMPTY_BUFFER)).isEqualTo(Result.INCOMPLETE);
  }

  static Stream<Arguments> unsupported() {
    String ok = "GET / HTTP/1.1\r\nHost: h\r\n";
    return Stream.of(
        // Framing: every ambiguity that could smuggle a request.
        Arguments.of("CL + TE", ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Arguments.of("TE + CL", ok + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
        Arguments.of("TE chunked, chunked", ok + "Transfer-Encoding: chunked, chunked\r\n\r\n"),
        Arguments.of("TE twice", ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Arguments.of("TE gzip, chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n"),
        Arguments.of("TE chunked with a parameter", ok + "Transfer-Encoding: chunked;q=1\r\n\r\n"),
        Arguments.of("TE xchunked", ok + "Transfer-Encoding: xchunked\r\n\r\n"),
        Arguments.of("TE chunked in HTTP/1.0", "POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
        Arguments.of("TE identity", ok + "transfer-encoding: identity\r\n\r\n"),
        Arguments.of("TE empty", ok + "Transfer-Encoding:\r\n\r\n"),
        Arguments.of("TE space before colon", ok + "Transfer-Encoding : chunked\r\n\r\n"),
        Arguments.of("duplicate CL, equal", ok + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n"),
        Arguments.of("duplicate CL, different", ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"),
        Arguments.of("CL list", ok + "Content-Length: 5, 5\r\n\r\n"),
        Arguments.of("CL plus sign", ok + "Content-Length: +5\r\n\r\n"),
        Arguments.of("CL minus sign", ok + "Content-Length: -5\r\n\r\n"),
        Arguments.of("CL inner space", ok + "Content-Length: 5 5\r\n\r\n"),
        Arguments.of("CL hex", ok + "Content-Length: 0x5\r\n\r\n"),
        Arguments.of("CL empty", ok + "Content-Length:\r\n\r\n"),
        Arguments.of("CL 19 digits", ok + "Content-Length: 1234567890123456789\r\n\r\n"),
        Arguments.of("CL space before colon", ok + "Content-Length : 5\r\n\r\n"),
        Arguments.of("CL tab before colon", ok + "Content-Length\t: 5\r\n\r\n"),
        Arguments.of("Transfer_Encoding", ok + "Content-Length: 5\r\nTransfer_Encoding: chunked\r\n\r\n"),
        Arguments.of("Content_Length", ok + "content_length: 5\r\n\r\n"),
        // Line structure.
        Arguments.of("obs-fold", ok + "X-A: b\r\n c\r\n\r\n"),
        Arguments.of("obs-fold tab", ok + "X-A: b\r\n\tc\r\n\r\n"),
        Arguments.of("first field line folded", "GET / HTTP/1.1\r\n Host: h\r\n\r\n"),
        Arguments.of("bare LF after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n"),
        Arguments.of("bare LF after field", ok + "X-A: b\n\r\n"),
        Arguments.of("bare LF blank line", ok + "\n"),
        Arguments.of("bare CR in value", ok + "X-A: b\rc\r\n\r\n"),
        Arguments.of("bare CR ending a field", ok + "X-A: b\rX-B: c\r\n\r\n"),
        Arguments.of("CR CR LF", ok + "X-A: b\r\r\n\r\n"),
        Arguments.of("bare CR in request line", "GET /a\r HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("bare CR blank line", ok + "\r\r\n"),
        Arguments.of("NUL in value", ok + "X-A: b\u0000c\r\n\r\n"),
        Arguments.of("DEL in value", ok + "X-A: b\u007fc\r\n\r\n"),
        Arguments.of("CTL in value", ok + "X-A: \u0001\r\n\r\n"),
        Arguments.of("empty field name", ok + ": x\r\n\r\n"),
        Arguments.of("line without colon", ok + "X-A\r\n\r\n"),
        Arguments.of("space in field name", ok + "X A: b\r\n\r\n"),
        Arguments.of("non-tchar in field name", ok + "X@A: b\r\n\r\n"),
        Arguments.of("leading empty line", "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("leading bare LF", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        // Request line.
        Arguments.of("lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("HTTP/1.0 without Host", "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n"),
        Arguments.of("lower-case HTTP/1.0", "GET / http/1.0\r\nHost: h\r\n\r\n"),
        Arguments.of("HTTP/0.9", "GET / HTTP/0.9\r\nHost: h\r\n\r\n"),
        Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n"),
        Arguments.of("HTTP/1.10", "GET / HTTP/1.10\r\nHost: h\r\n\r\n"),
        Arguments.of("no version", "GET /\r\nHost: h\r\n\r\n"),
        Arguments.of("trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n"),
        Arguments.of("two spaces after method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("two spaces before version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("tab separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("non-tchar method", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("absolute-form", "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("authority-form", "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"),
        Arguments.of("asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("non-ASCII target", "GET /caf\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("0x80 in target", "GET /\u0080 HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of("DEL in target", "GET /\u007f HTTP/1.1\r\nHost: h\r\n\r\n"),
        // Host.
        Arguments.of("missing Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"),
        Arguments.of("two Hosts", ok + "Host: h\r\n\r\n"),
        Arguments.of("two different Hosts", ok + "host: evil\r\n\r\n"),
        Arguments.of("empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n"),
        Arguments.of("Host with inner space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
        Arguments.of("Host with inner tab", "GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n"),
        Arguments.of("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@h\r\n\r\n"),
        Arguments.of("Host with path", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n"),
        Arguments.of("Host with bad port", "GET / HTTP/1.1\r\nHost: h:80a\r\n\r\n"),
        Arguments.of("Host with a percent-encoded byte", "GET / HTTP/1.1\r\nHost: %41bc\r\n\r\n"),
        Arguments.of("Host with a port above 65535", "GET / HTTP/1.1\r\nHost: h:65536\r\n\r\n"),
        Arguments.of("Host with a long port", "GET / HTTP/1.1\r\nHost: h:99999999999\r\n\r\n"),
        Arguments.of("unterminated IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"),
        Arguments.of("Host space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n"),
        // Fields the fast path does not handle.
        Arguments.of("Expect other than 100-continue", ok + "Expect: 200-ok\r\n\r\n"),
        Arguments.of("Expect twice", ok + "Expect: 100-continue\r\nExpect: 100-continue\r\n\r\n"),
        Arguments.of("Expect in HTTP/1.0", "POST / HTTP/1.0\r\nHost: h\r\nExpect: 100-continue\r\n\r\n"),
        Arguments.of("Upgrade", ok + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"),
        Arguments.of("HTTP2-Settings", ok + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"),
        Arguments.of("Keep-Alive", ok + "Keep-Alive: timeout=5\r\n\r\n"),
        Arguments.of("Proxy-Connection", ok + "Proxy-Connection: keep-alive\r\n\r\n"),
        Arguments.of("TE", ok + "TE: trailers\r\n\r\n"),
        Arguments.of("Trailer", ok + "Trailer: X-Sum\r\n\r\n"),
        Arguments.of("Proxy-Authorization", ok + "Proxy-Authorization: Basic eDp5\r\n\r\n"),
        Arguments.of("Proxy-Authenticate", ok + "PROXY-AUTHENTICATE: Basic\r\n\r\n"),
        Arguments.of("Connection: upgrade", ok + "Connection: upgrade\r\n\r\n"),
        Arguments.of("Connection: x-foo", ok + "Connection: x-foo\r\n\r\n"),
        Arguments.of("Connection: keep-alive, x-foo", ok + "Connection: keep-alive, x-foo\r\n\r\n"),
        Arguments.of("second Connection with x-foo", ok + "Connection: close\r\nConnection: X-Foo\r\n\r\n"),
        Arguments.of("Connection: keep alive", ok + "Connection: keep alive\r\n\r\n"),
        Arguments.of("two X-Forwarded-For", ok + "X-Forwarded-For: a\r\nx-forwarded-for: b\r\n\r\n"),
        Arguments.of("two X-Forwarded-Proto", ok + "X-Forwarded-Proto: a\r\nX-Forwarded-Proto: b\r\n\r\n"),
        Arguments.of("two Via", ok + "Via: 1.1 a\r\nVia: 1.1 b\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupported")
  void unsupported(String name, String head) {
    assertThat(parser.parse(buf(head))).isEqualTo(Result.UNSUPPORTED);
    // Also when followed by more bytes, and after the reader index moved.
    assertThat(parser.parse(bufAfter("GET / HTTP/1.1\r\n", head + "GET / HTTP/1.1\r\nHost: h\r\n\r\n")))
        .isEqualTo(Result.UNSUPPORTED);
  }

  @Test
  void clearlyBadStartIsUnsupportedBeforeTheHeadIsComplete() {
    assertThat(parse("\r")).isEqualTo(Result.UNSUPPORTED);
    assertThat(parse(" GET")).isEqualTo(Result.UNSUPPORTED);
    assertThat(parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n")).isEqualTo(Result.UNSUPPORTED);
  }

  /** Transfer-Encoding: chunked alone, in any case and with OWS: a chunked body, the line dropped for the sidecar's own. */
  @Test
  void aChunkedBodyIsNotedAndItsLineDropped() {
    String head = "PUT /u HTTP/1.1\r\nHost: h\r\ntransfer-encoding:  CHUNKED \r\nX-A: b\r\n\r\n";
    assertThat(parse(head)).isEqualTo(Result.SIMPLE);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.hasBody()).isTrue();
    assertThat(parser.contentLength()).isZero();
    assertThat(parser.droppedLines()).isEqualTo(1);
    assertThat(head.substring(parser.droppedLineStart(0), parser.droppedLineEnd(0))).isEqualTo("transfer-encoding:  CHUNKED \r\n");
  }

  @Test
  void anXRequestIdIsNotedAndKept() {
    RequestHeadParser parser = new RequestHeadParser(8192);
    String with = "GET / HTTP/1.1\r\nHost: a\r\nX-Request-ID: abc-1\r\n\r\n";
    assertThat(parser.parse(io.netty.buffer.Unpooled.copiedBuffer(with, java.nio.charset.StandardCharsets.US_ASCII)))
        .isEqualTo(Result.SIMPLE);
    assertThat(parser.hasRequestId()).isTrue();
    assertThat(parser.droppedLines()).isZero();
    assertThat(parser.parse(io.netty.buffer.Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(Result.SIMPLE);
    assertThat(parser.hasRequestId()).isFalse();
  }
}
