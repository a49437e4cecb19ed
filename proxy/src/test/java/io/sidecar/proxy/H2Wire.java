package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A hand-driven HTTP/2 client (h2c with prior knowledge) on a plain socket: it writes the frames a test asks for,
 * exactly, and reads the server's frames one by one, so a test can see what a conforming client library would never
 * send or would hide (SETTINGS values, RST_STREAM codes). HPACK through Netty's encoder and decoder. Every read is
 * bounded by the socket timeout.
 */
final class H2Wire implements AutoCloseable {
  static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8,
      CONTINUATION = 9;
  static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
  static final int SETTINGS_MAX_HEADER_LIST_SIZE = 6;
  private static final int MAX_FRAME = 16_384;

  record Frame(int type, int flags, int stream, byte[] payload) {
    boolean has(int flag) {
      return (flags & flag) != 0;
    }

    long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1L << 20);
  /** The values of the server's first SETTINGS frame. */
  final Map<Integer, Long> serverSettings = new HashMap<>();

  private H2Wire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** Connects, sends the preface and an empty SETTINGS, and reads the server's SETTINGS (acknowledged). */
  static H2Wire connect(int port) throws IOException {
    H2Wire wire = open(port);
    wire.out.write(PREFACE);
    wire.frame(SETTINGS, 0, 0, new byte[0]);
    wire.readServerSettings();
    return wire;
  }

  /** Connects and sends nothing: the test writes the first bytes ({@link #write}, {@link #frameBytes}). */
  static H2Wire open(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(5_000);
    return new H2Wire(socket);
  }

  /**
   * Connects with an HTTP/1.1 request for {@code path} that asks for h2c (RFC 7540 §3.2, the upgrade RFC 9113 left
   * out but servers still take), reads the 101, sends the preface and reads the server's SETTINGS. The request is
   * stream 1, half closed by the client.
   */
  static H2Wire upgrade(int port, String path) throws IOException {
    H2Wire wire = open(port);
    wire.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        + "Upgrade: h2c\r\nHTTP2-Settings: \r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) head.append((char) wire.in.readUnsignedByte());
    if (!head.toString().startsWith("HTTP/1.1 101")) throw new IOException("no upgrade: " + head);
    wire.out.write(PREFACE);
    wire.frame(SETTINGS, 0, 0, new byte[0]);
    wire.readServerSettings();
    return wire;
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** One frame's bytes. */
  static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
    byte[] frame = java.util.Arrays.copyOf(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8),
        (byte) payload.length, (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16),
        (byte) (stream >>> 8), (byte) stream}, 9 + payload.length);
    System.arraycopy(payload, 0, frame, 9, payload.length);
    return frame;
  }

  /** A HEADERS frame carrying all of {@code headers} (END_HEADERS), as bytes to write later. */
  byte[] headersFrame(int stream, Http2Headers headers, boolean endStream) throws Exception {
    ByteBuf block = Unpooled.buffer();
    encoder.encodeHeaders(stream, headers, block);
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    return frameBytes(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, bytes);
  }

  /** Reads the server's first SETTINGS (acknowledged) and keeps its values. */
  private void readServerSettings() throws IOException {
    Frame settings = next(f -> f.type() == SETTINGS && !f.has(ACK));
    for (int i = 0; i + 6 <= settings.payload().length; i += 6) {
      byte[] p = settings.payload();
      int id = ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
      long value = ((p[i + 2] & 0xffL) << 24) | ((p[i + 3] & 0xff) << 16) | ((p[i + 4] & 0xff) << 8) | (p[i + 5] & 0xff);
      serverSettings.put(id, value);
    }
  }

  static Http2Headers get(String path, int port) {
    return new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority("127.0.0.1:" + port);
  }

  private int pieceSize;

  /**
   * From now on, writes each frame in pieces of {@code bytes}, each sent on its own after a short pause, so the
   * server reads frame headers split across reads.
   */
  void writeInPiecesOf(int bytes) throws IOException {
    socket.setTcpNoDelay(true);
    pieceSize = bytes;
  }

  /** Writes one frame as given. */
  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] frame = frameBytes(type, flags, stream, payload);
    if (pieceSize > 0) {
      writeInPieces(frame);
    } else {
      write(frame);
    }
  }

  private void writeInPieces(byte[] bytes) throws IOException {
    for (int at = 0; at < bytes.length; at += pieceSize) {
      out.write(bytes, at, Math.min(pieceSize, bytes.length - at));
      out.flush();
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  void data(int stream, String text, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, stream, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * How the server ends the connection: the error code of its GOAWAY, or -1 when it closes without one. Frames of
   * other streams before it are skipped; a RST_STREAM is an AssertionError (a stream error where a connection error
   * was expected).
   */
  long connectionError() throws IOException {
    try {
      Frame f = next(x -> x.type() == GOAWAY || x.type() == RST_STREAM);
      if (f.type() == RST_STREAM) throw new AssertionError("stream error on " + f.stream() + ", code " + f.errorCode());
      return f.errorCode();
    } catch (java.io.EOFException closed) {
      return -1;
    }
  }

  /** The code of the next RST_STREAM on {@code stream}; a GOAWAY is an AssertionError. */
  long streamError(int stream) throws IOException {
    Frame f = next(x -> x.type() == GOAWAY || x.type() == RST_STREAM && x.stream() == stream);
    if (f.type() == GOAWAY) throw new AssertionError("connection error, code " + f.errorCode());
    return f.errorCode();
  }

  /** A header block on {@code stream}: one HEADERS frame, and CONTINUATION frames for what exceeds 16 KiB. */
  void headers(int stream, Http2Headers headers, boolean endStream) throws Exception {
    ByteBuf block = Unpooled.buffer();
    encoder.encodeHeaders(stream, headers, block);
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    int offset = 0;
    boolean first = true;
    do {
      int length = Math.min(MAX_FRAME, bytes.length - offset);
      byte[] part = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
      offset += length;
      int flags = (offset == bytes.length ? END_HEADERS : 0) | (first && endStream ? END_STREAM : 0);
      frame(first ? HEADERS : CONTINUATION, flags, stream, part);
      first = false;
    } while (offset < bytes.length);
  }

  /**
   * A PING and its ACK: the server has decoded everything sent before (its HTTP/2 set-up, which Vert.x finishes at
   * the client's first SETTINGS, included).
   */
  void roundTrip() throws IOException {
    byte[] opaque = {1, 2, 3, 4, 5, 6, 7, 8};
    frame(PING, 0, 0, opaque);
    next(f -> f.type() == PING && f.has(ACK));
  }

  void rstStream(int stream, long code) throws IOException {
    frame(RST_STREAM, 0, stream, new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code});
  }

  /** The next frame from the server; throws on timeout or when the server closed the connection. */
  Frame read() throws IOException {
    byte[] head = new byte[9];
    in.readFully(head);
    int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
    int stream = ((head[5] & 0x7f) << 24) | ((head[6] & 0xff) << 16) | ((head[7] & 0xff) << 8) | (head[8] & 0xff);
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload);
  }

  /** Reads until a frame {@code wanted} accepts, acknowledging the server's SETTINGS on the way. */
  Frame next(Predicate<Frame> wanted) throws IOException {
    while (true) {
      Frame f = read();
      if (f.type() == SETTINGS && !f.has(ACK)) frame(SETTINGS, ACK, 0, new byte[0]);
      if (wanted.test(f)) return f;
    }
  }

  /** The response head of {@code stream} (a single HEADERS frame, as the servers under test send it). */
  Http2Headers responseHeaders(int stream) throws Exception {
    Frame f = next(x -> x.type() == GOAWAY || x.stream() == stream && (x.type() == HEADERS || x.type() == RST_STREAM));
    if (f.type() != HEADERS) throw new AssertionError("stream " + stream + " got frame type " + f.type() + " code " + f.errorCode());
    return decode(f);
  }

  /** The header block of one HEADERS frame (padding and priority skipped). */
  Http2Headers decode(Frame f) throws Exception {
    int stream = f.stream();
    byte[] p = f.payload();
    int from = 0;
    int to = p.length;
    if (f.has(PADDED)) to -= p[from++] & 0xff;
    if (f.has(PRIORITY)) from += 5;
    return decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(p, from, to - from));
  }

  /** The response body of {@code stream}, up to END_STREAM. */
  String body(int stream) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      Frame f = next(x -> x.stream() == stream && (x.type() == DATA || x.type() == HEADERS || x.type() == RST_STREAM));
      if (f.type() == RST_STREAM) throw new AssertionError("stream " + stream + " reset, code " + f.errorCode());
      if (f.type() == DATA) body.write(f.payload());
      if (f.has(END_STREAM)) return body.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * The response bodies of {@code streams}, each up to its END_STREAM, however the server interleaves them ({@link
   * #body} drops frames of other streams, so reading streams that answer in either order one after the other loses
   * the one that ended first).
   */
  java.util.Map<Integer, String> bodies(int... streams) throws IOException {
    java.util.Map<Integer, ByteArrayOutputStream> open = new java.util.HashMap<>();
    for (int stream : streams) open.put(stream, new ByteArrayOutputStream());
    java.util.Map<Integer, String> ended = new java.util.TreeMap<>();
    while (ended.size() < streams.length) {
      Frame f = next(x -> open.containsKey(x.stream()) && !ended.containsKey(x.stream())
          && (x.type() == DATA || x.type() == HEADERS || x.type() == RST_STREAM));
      if (f.type() == RST_STREAM) throw new AssertionError("stream " + f.stream() + " reset, code " + f.errorCode());
      if (f.type() == DATA) open.get(f.stream()).write(f.payload());
      if (f.has(END_STREAM)) ended.put(f.stream(), open.get(f.stream()).toString(StandardCharsets.UTF_8));
    }
    return ended;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
