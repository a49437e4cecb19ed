package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9113 §5.1 and §5.1.1 on an h2c listener, frame by frame ({@link H2Wire}), as h2spec's http2/5.1/6, 5.1/12 and
 * 5.1.1/2 send them, each also with the client's bytes arriving a few at a time; and the legal sequences next to
 * them (trailers, skipped identifiers, frames after a reset) still served.
 */
@Timeout(60)
class Http2StreamStatesTest {
  private static final long PROTOCOL_ERROR = 0x1, STREAM_CLOSED = 0x5, CANCEL = 0x8;

  private final ProxyHarness h = new ProxyHarness();
  private final List<String> upstreamSaw = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private H2Wire start(int pieceSize) throws Exception {
    int upstream = h.upstream(req -> req.body().onSuccess(body -> {
      upstreamSaw.add(req.path() + " " + body);
      req.response().end("ok " + req.path());
    }));
    h.start(1, """
        listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
        routes: [ { name: r, cluster: app } ]
        clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(upstream));
    H2Wire wire = H2Wire.connect(h.proxyPort);
    // the frames under test in reads of their own (framesSentWithTheFirstSettingsAreJudged covers the first read)
    wire.roundTrip();
    if (pieceSize > 0) wire.writeInPiecesOf(pieceSize);
    return wire;
  }

  /**
   * The frame that breaks the rule goes whole: the server ends the connection at its header, and bytes of it still
   * on their way would make the close a reset that can discard the GOAWAY before the client reads it. (How headers
   * split across reads are put together: FrameHeaderScannerTest.)
   */
  private static void lastFrameWhole(H2Wire wire) throws Exception {
    wire.writeInPiecesOf(0);
  }

  /** h2spec http2/5.1/6: Netty answered RST_STREAM PROTOCOL_ERROR. */
  @ParameterizedTest(name = "pieces of {0} bytes (0: whole frames)")
  @ValueSource(ints = {0, 4})
  void headersOnAStreamTheClientEndedIsStreamClosed(int pieceSize) throws Exception {
    try (H2Wire wire = start(pieceSize)) {
      wire.headers(1, H2Wire.get("/a", h.proxyPort), true);
      lastFrameWhole(wire);
      wire.headers(1, H2Wire.get("/a", h.proxyPort), true);
      assertThat(wire.connectionError()).isEqualTo(STREAM_CLOSED);
    }
  }

  /** h2spec http2/5.1/12: Netty answered with a stream error (RST_STREAM STREAM_CLOSED) and kept the connection. */
  @ParameterizedTest(name = "pieces of {0} bytes (0: whole frames)")
  @ValueSource(ints = {0, 4})
  void headersOnAStreamClosedByBothEndsIsAConnectionErrorStreamClosed(int pieceSize) throws Exception {
    try (H2Wire wire = start(pieceSize)) {
      wire.headers(1, H2Wire.get("/a", h.proxyPort), true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200");
      assertThat(wire.body(1)).isEqualTo("ok /a");
      lastFrameWhole(wire);
      wire.headers(1, H2Wire.get("/a", h.proxyPort), true);
      assertThat(wire.connectionError()).isEqualTo(STREAM_CLOSED);
    }
    assertThat(upstreamSaw).containsExactly("/a ");
  }

  /** h2spec http2/5.1.1/2: Netty answered RST_STREAM STREAM_CLOSED on stream 3 and kept the connection. */
  @ParameterizedTest(name = "pieces of {0} bytes (0: whole frames)")
  @ValueSource(ints = {0, 4})
  void aStreamNumberedBelowOneOpenedIsAConnectionErrorProtocolError(int pieceSize) throws Exception {
    try (H2Wire wire = start(pieceSize)) {
      wire.headers(5, H2Wire.get("/five", h.proxyPort), true);
      lastFrameWhole(wire);
      wire.headers(3, H2Wire.get("/three", h.proxyPort), true);
      assertThat(wire.connectionError()).isEqualTo(PROTOCOL_ERROR);
    }
    assertThat(upstreamSaw).doesNotContain("/three ");
  }

  /** The client's first stream may already skip identifiers: stream 1, never opened, is below stream 3. */
  @Test
  void streamOneAfterAFirstStreamThreeIsAConnectionErrorProtocolError() throws Exception {
    try (H2Wire wire = start(0)) {
      wire.headers(3, H2Wire.get("/three", h.proxyPort), true);
      wire.headers(1, H2Wire.get("/one", h.proxyPort), true);
      assertThat(wire.connectionError()).isEqualTo(PROTOCOL_ERROR);
    }
    assertThat(upstreamSaw).doesNotContain("/one ");
  }

  /**
   * Frames that come in the same read as the client's first SETTINGS reach Netty before the guard exists; it reads
   * them from Netty's buffer, here down to a frame header cut after 4 bytes, and judges the frame that header starts.
   */
  @Test
  void framesInTheFirstReadAreCountedAndAHeaderCutThereIsJudged() throws Exception {
    start(0).close(); // this test writes its connection's first bytes itself
    try (H2Wire wire = H2Wire.open(h.proxyPort)) {
      // encoded in the order sent: HPACK's table is shared by the blocks
      byte[] five = wire.headersFrame(5, H2Wire.get("/five", h.proxyPort), true);
      byte[] three = wire.headersFrame(3, H2Wire.get("/three", h.proxyPort), true);
      ByteArrayOutputStream first = new ByteArrayOutputStream();
      first.writeBytes(H2Wire.PREFACE);
      first.writeBytes(H2Wire.frameBytes(H2Wire.SETTINGS, 0, 0, new byte[0]));
      first.writeBytes(five);
      first.writeBytes(Arrays.copyOf(three, 4));
      wire.write(first.toByteArray());
      Thread.sleep(200); // a read of its own for the rest (reading now would acknowledge SETTINGS mid-frame)
      wire.write(Arrays.copyOfRange(three, 4, three.length));
      assertThat(wire.connectionError()).isEqualTo(PROTOCOL_ERROR);
    }
    assertThat(upstreamSaw).doesNotContain("/three ");
  }

  /**
   * Frames sent with the client's first SETTINGS (as clients that do not wait for the server's SETTINGS send them)
   * reach Netty's buffer before the guard exists: from the first frame to judge on, it takes them back and judges
   * them in order, and what is legal there (trailers) is served.
   */
  @Test
  void framesSentWithTheFirstSettingsAreJudged() throws Exception {
    start(0).close(); // this test writes its connections' first bytes itself
    try (H2Wire wire = H2Wire.open(h.proxyPort)) {
      byte[] again = wire.headersFrame(1, H2Wire.get("/once", h.proxyPort), true);
      wire.write(firstFlight(again, again));
      assertThat(wire.connectionError()).isEqualTo(STREAM_CLOSED);
    }
    try (H2Wire wire = H2Wire.open(h.proxyPort)) {
      byte[] three = wire.headersFrame(3, H2Wire.get("/three", h.proxyPort), true);
      byte[] one = wire.headersFrame(1, H2Wire.get("/one", h.proxyPort), true);
      wire.write(firstFlight(three, one));
      assertThat(wire.connectionError()).isEqualTo(PROTOCOL_ERROR);
    }
    try (H2Wire wire = H2Wire.open(h.proxyPort)) {
      byte[] post = wire.headersFrame(1, H2Wire.get("/trailers", h.proxyPort).method("POST"), false);
      byte[] data = H2Wire.frameBytes(H2Wire.DATA, 0, 1, "body".getBytes(StandardCharsets.US_ASCII));
      byte[] trailers = wire.headersFrame(1, new DefaultHttp2Headers().add("x-checksum", "1"), true);
      byte[] next = wire.headersFrame(3, H2Wire.get("/next", h.proxyPort), true);
      wire.write(firstFlight(post, data, trailers, next));
      // either may be answered first: the upstream sees /next before the body of /trailers has all come
      assertThat(wire.bodies(1, 3)).containsExactly(Map.entry(1, "ok /trailers"), Map.entry(3, "ok /next"));
    }
    assertThat(upstreamSaw).doesNotContain("/one ").contains("/trailers body", "/next ");
  }

  /** The preface, an empty SETTINGS and {@code frames}, for one write. */
  private static byte[] firstFlight(byte[]... frames) {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    first.writeBytes(H2Wire.PREFACE);
    first.writeBytes(H2Wire.frameBytes(H2Wire.SETTINGS, 0, 0, new byte[0]));
    for (byte[] frame : frames) first.writeBytes(frame);
    return first.toByteArray();
  }

  /** After an h2c upgrade the guard starts before the client's preface, and the upgrade's request is stream 1. */
  @Test
  void afterAnH2cUpgradeTheRequestStreamIsTheClientsAndEnded() throws Exception {
    start(0).close(); // the upgrade below makes a connection of its own
    try (H2Wire wire = H2Wire.upgrade(h.proxyPort, "/upgraded")) {
      assertThat(wire.body(1)).isEqualTo("ok /upgraded");
      wire.headers(3, H2Wire.get("/three", h.proxyPort), true);
      assertThat(wire.body(3)).isEqualTo("ok /three");
      wire.headers(1, H2Wire.get("/again", h.proxyPort), true);
      assertThat(wire.connectionError()).isEqualTo(STREAM_CLOSED);
    }
    assertThat(upstreamSaw).containsExactly("/upgraded ", "/three ");
  }

  @Test
  void trailersAndSkippedIdentifiersAreServed() throws Exception {
    try (H2Wire wire = start(0)) {
      wire.headers(1, H2Wire.get("/with-trailers", h.proxyPort).method("POST"), false);
      wire.data(1, "body", false);
      wire.headers(1, new DefaultHttp2Headers().add("x-checksum", "1234"), true);
      assertThat(wire.responseHeaders(1).status().toString()).isEqualTo("200");
      assertThat(wire.body(1)).isEqualTo("ok /with-trailers");
      // a client may skip identifiers (§5.1.1: the skipped ones are closed), as long as they only grow
      wire.headers(7, H2Wire.get("/seven", h.proxyPort), true);
      assertThat(wire.body(7)).isEqualTo("ok /seven");
      wire.headers(9, H2Wire.get("/nine", h.proxyPort), true);
      assertThat(wire.body(9)).isEqualTo("ok /nine");
    }
    assertThat(upstreamSaw).containsExactly("/with-trailers body", "/seven ", "/nine ");
  }

  /**
   * h2spec http2/5.1/9: after the client resets a stream, its late HEADERS get a stream error (§5.1 lets the
   * endpoint that sent RST_STREAM ignore frames in flight) and the connection goes on.
   */
  @Test
  void headersAfterTheClientResetTheStreamAreAStreamErrorOnly() throws Exception {
    try (H2Wire wire = start(0)) {
      wire.headers(1, H2Wire.get("/a", h.proxyPort).method("POST"), false);
      wire.rstStream(1, CANCEL);
      wire.headers(1, H2Wire.get("/a", h.proxyPort), true);
      assertThat(wire.streamError(1)).isEqualTo(STREAM_CLOSED);
      wire.headers(3, H2Wire.get("/b", h.proxyPort), true);
      assertThat(wire.responseHeaders(3).status().toString()).isEqualTo("200");
      assertThat(wire.body(3)).isEqualTo("ok /b");
    }
  }
}
