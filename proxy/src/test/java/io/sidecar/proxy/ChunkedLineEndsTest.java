package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ChunkedLineEnds} on its own, in an {@link EmbeddedChannel} where a pass-through handler stands for the codec:
 * the bytes it hands on, for responses cut into reads at every point, and the buffers it takes and gives.
 */
class ChunkedLineEndsTest {
  /** A connection's responses: chunked with bare LFs everywhere, a length body that looks like lines, 1xx, 204. */
  private static final String RESPONSES = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
      + "5;x=y\nhello\n6\r\n world\n0\nX-T: v\n\n"
      + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n1\n2\n3"
      + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\nLink: </a>\n\n"
      + "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\nabc\r\n0\r\n\n"
      + "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\n0123\n56789\n0\n\n";
  /** The same, the chunked bodies' own lines ended by CRLF; the heads and the length body as they were. */
  private static final String NORMALISED = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
      + "5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: v\r\n\r\n"
      + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n1\n2\n3"
      + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\nLink: </a>\n\n"
      + "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      + "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123\n56789\r\n0\r\n\r\n";
  private static final List<HttpMethod> FIVE_GETS = List.of(HttpMethod.GET, HttpMethod.GET, HttpMethod.GET,
      HttpMethod.GET, HttpMethod.GET);

  /** One upstream connection: the handler installed around a stand-in codec; every buffer fed in is kept. */
  private static final class Connection {
    final EmbeddedChannel channel = new EmbeddedChannel();
    final List<ByteBuf> fed = new ArrayList<>();
    final List<ByteBuf> out = new ArrayList<>();

    Connection(HttpDecoderConfig config) {
      channel.pipeline().addLast("codec", new ChannelDuplexHandler());
      ChunkedLineEnds.install(channel.pipeline(), "codec", config);
    }

    Connection() {
      this(new HttpDecoderConfig());
    }

    /** Vert.x writing requests, which pass on to the codec. */
    Connection requests(List<HttpMethod> methods) {
      for (HttpMethod method : methods) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/");
        channel.writeOutbound(request);
        assertThat((Object) channel.readOutbound()).isSameAs(request);
      }
      return this;
    }

    /** Feeds {@code bytes} cut at {@code cuts} (one read each); returns all the bytes handed on so far. */
    String read(String bytes, int... cuts) {
      int from = 0;
      for (int i = 0; i <= cuts.length; i++) {
        int to = i < cuts.length ? cuts[i] : bytes.length();
        ByteBuf in = Unpooled.copiedBuffer(bytes.substring(from, to), StandardCharsets.ISO_8859_1);
        fed.add(in);
        channel.writeInbound(in);
        from = to;
      }
      for (Object o; (o = channel.readInbound()) != null; ) out.add((ByteBuf) o);
      StringBuilder s = new StringBuilder();
      for (ByteBuf b : out) s.append(b.toString(StandardCharsets.ISO_8859_1));
      return visible(s.toString());
    }

    /** Closes the channel, releases what came out, and checks every buffer fed in was released exactly once. */
    void close() {
      channel.finishAndReleaseAll();
      for (ByteBuf b : out) b.release();
      for (ByteBuf b : fed) assertThat(b.refCnt()).isZero();
    }
  }

  /** Line ends written out, so that a failure shows where they differ (what {@code read} returns is so written). */
  static String visible(String bytes) {
    return bytes.replace("\r", "\\r").replace("\n", "\\n");
  }

  private static String through(List<HttpMethod> methods, String bytes, int... cuts) {
    Connection c = new Connection().requests(methods);
    String got = c.read(bytes, cuts);
    c.close();
    return got;
  }

  @Test
  void theChunkedBodiesLinesEndInCrlfWhereverTheReadsSplitThem() {
    assertThat(through(FIVE_GETS, RESPONSES)).isEqualTo(visible(NORMALISED));
    for (int i = 0; i <= RESPONSES.length(); i++) {
      assertThat(through(FIVE_GETS, RESPONSES, i)).as("cut at %d", i).isEqualTo(visible(NORMALISED));
    }
    for (int i = 0; i <= RESPONSES.length(); i += 11) {
      for (int j = i; j <= RESPONSES.length(); j++) {
        assertThat(through(FIVE_GETS, RESPONSES, i, j)).as("cuts %d, %d", i, j).isEqualTo(visible(NORMALISED));
      }
    }
    int[] everyByte = new int[RESPONSES.length() - 1];
    for (int i = 0; i < everyByte.length; i++) everyByte[i] = i + 1;
    assertThat(through(FIVE_GETS, RESPONSES, everyByte)).isEqualTo(visible(NORMALISED));
  }

  /**
   * Nothing to rewrite: each read goes on as the very buffer that came, heads split anywhere included; the handler
   * still rewrites the next response's bare LFs.
   */
  @Test
  void readsWithNothingToRewriteGoOnAsTheSameBuffers() {
    String next = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n";
    for (int i = 0; i <= NORMALISED.length(); i++) {
      Connection c = new Connection().requests(FIVE_GETS).requests(List.of(HttpMethod.GET));
      assertThat(c.read(NORMALISED, i)).as("cut at %d", i).isEqualTo(visible(NORMALISED));
      assertThat(c.out).as("cut at %d", i).hasSameSizeAs(c.fed);
      for (int k = 0; k < c.out.size(); k++) assertThat(c.out.get(k)).isSameAs(c.fed.get(k));
      assertThat(c.read(next)).isEqualTo(visible(NORMALISED + next.replace("\n", "\r\n").replace("\r\r", "\r")));
      c.close();
    }
  }

  /** A rewritten read is a new buffer and the one read is released; the next, with nothing to rewrite, is itself. */
  @Test
  void aReadWithABareLfIsCopiedOnce() {
    Connection c = new Connection().requests(List.of(HttpMethod.GET));
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertThat(c.read(head + "5\nhel")).isEqualTo(visible(head + "5\r\nhel"));
    assertThat(c.out.get(0)).isNotSameAs(c.fed.get(0));
    assertThat(c.fed.get(0).refCnt()).isZero();
    assertThat(c.read("lo\r\n0\r\n\r\n")).isEqualTo(visible(head + "5\r\nhello\r\n0\r\n\r\n"));
    assertThat(c.out.get(1)).isSameAs(c.fed.get(1));
    c.close();
  }

  /**
   * A response to HEAD has no body whatever its head says (RFC 9112 §6.3), nor has a 304: the next response is read
   * as a head, not as chunks, also when the requests were written before the responses came.
   */
  @Test
  void aResponseToHeadHasNoBody() {
    String chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    String notModified = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
    String responses = chunkedHead + notModified + chunkedHead + "2\nok\n0\n\n";
    String expected = chunkedHead + notModified + chunkedHead + "2\r\nok\r\n0\r\n\r\n";
    for (int i = 0; i <= responses.length(); i++) {
      assertThat(through(List.of(HttpMethod.HEAD, HttpMethod.GET, HttpMethod.GET), responses, i))
          .as("cut at %d", i).isEqualTo(visible(expected));
    }
    // one at a time, as Vert.x sends them
    Connection c = new Connection().requests(List.of(HttpMethod.HEAD));
    c.read(chunkedHead);
    c.requests(List.of(HttpMethod.GET));
    assertThat(c.read(chunkedHead + "2\nok\n0\n\n"))
        .isEqualTo(visible(chunkedHead + chunkedHead + "2\r\nok\r\n0\r\n\r\n"));
    c.close();
  }

  /**
   * Where the codec might read the bytes otherwise, or they are no chunked HTTP/1.x framing, the rest of the
   * connection is handed on untouched: the codec judges it as it did before.
   */
  @Test
  void theRestOfTheConnectionGoesOnUntouchedAfter() {
    String bareLfBody = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n";
    List<String> untouched = List.of(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\nok\n0\n\n", // a malformed size line
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX0\n\n", // no line end after the data
        "HTTP/1.1 200 OK\r\n\r\n2\nok\n0\n\n", // close-delimited: all of it is the body
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\nok\n0\n\n", // so is this one
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n2\nok\n0\n\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n", // obs-fold
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n", // TE in HTTP/1.0 (RFC 9112 §6.1)
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n2\nok\n0\n\n",
        "NOT HTTP\r\n\r\n2\nok\n0\n\n");
    assertThat(through(FIVE_GETS, bareLfBody)).as("alone, it is rewritten")
        .isEqualTo(visible(bareLfBody.replace("\n", "\r\n").replace("\r\r", "\r")));
    for (String first : untouched) {
      String bytes = first + bareLfBody;
      for (int i = 0; i <= bytes.length(); i++) {
        assertThat(through(FIVE_GETS, bytes, i)).as("%s cut at %d", first, i).isEqualTo(visible(bytes));
      }
    }
    // a 2xx to CONNECT: a tunnel from the next byte on, whatever its head says (RFC 9112 §6.3 item 2)
    String tunnel = "HTTP/1.1 200 Connection Established\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n";
    assertThat(through(List.of(HttpMethod.CONNECT), tunnel + bareLfBody)).isEqualTo(visible(tunnel + bareLfBody));
  }

  /** A body's lines that came before a malformed one are rewritten, whichever read they came in. */
  @Test
  void linesBeforeAMalformedOneAreRewrittenWhereverTheReadsSplit() {
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    String bytes = head + "3\nabc\nzz\nok\n0\n\n";
    String expected = head + "3\r\nabc\r\nzz\nok\n0\n\n";
    for (int i = 0; i <= bytes.length(); i++) {
      assertThat(through(FIVE_GETS, bytes, i)).as("cut at %d", i).isEqualTo(visible(expected));
    }
  }

  /**
   * A head longer than the codec takes is left to the codec, which refuses it; one at the limit is read. The limit
   * counts what Netty's decoder does not: the line ends.
   */
  @Test
  void aHeadLongerThanTheCodecTakesEndsTheRewriting() {
    HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(64).setMaxHeaderSize(64);
    int limit = ChunkedLineEnds.maxHeadBytes(config);
    assertThat(limit).isEqualTo(64 + 2 + 3 * 64 + 2);
    String start = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n";
    String body = "2\nok\n0\n\n";
    String fits = start + "X: " + "v".repeat(limit - start.length() - 7) + "\r\n\r\n";
    assertThat(fits).hasSize(limit);
    String tooLong = start + "X: " + "v".repeat(limit - start.length() - 6) + "\r\n\r\n";
    for (int i = 0; i <= fits.length(); i += 7) {
      Connection c = new Connection(config).requests(List.of(HttpMethod.GET));
      assertThat(c.read(fits + body, i)).isEqualTo(visible(fits + "2\r\nok\r\n0\r\n\r\n"));
      c.close();
      c = new Connection(config).requests(List.of(HttpMethod.GET));
      assertThat(c.read(tooLong + body, i)).isEqualTo(visible(tooLong + body));
      c.close();
    }
  }

  /** A channel that closes in the middle of a head lets go of the part it kept. */
  @Test
  void aPartOfAHeadIsReleasedWhenTheConnectionCloses() {
    Connection c = new Connection().requests(List.of(HttpMethod.GET));
    assertThat(c.read("HTTP/1.1 200 OK\r\nTransfer-", 5)).isEqualTo(visible("HTTP/1.1 200 OK\r\nTransfer-"));
    assertThat(c.fed.get(1).refCnt()).isEqualTo(2); // handed on, and kept for the head
    c.close();
  }
}
