package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.sidecar.proxy.http2.FrameHeaderScanner;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

/**
 * The stream-state rules of RFC 9113 §5.1 and §5.1.1 for a HEADERS frame on a stream the client opened before, where
 * Netty answers every case alike with a stream error: it no longer knows a closed stream's history, so it "chooses the
 * lesser of the two errors" (its words). In front of Netty's HTTP/2 handler, this guard reads the frame headers of the
 * client's bytes (never the payloads) and keeps the little history the rules need:
 *
 * <ul>
 *   <li>HEADERS on a stream the client had already ended (half-closed remote, or closed after both ends' END_STREAM):
 *       STREAM_CLOSED (§5.1; Netty answered the half-closed case with PROTOCOL_ERROR and the closed case with a
 *       stream error, where §5.1 asks for a connection error);</li>
 *   <li>HEADERS opening a stream numbered below one already opened (an identifier the client skipped): a connection
 *       error PROTOCOL_ERROR (§5.1.1).</li>
 * </ul>
 *
 * Both end the connection (GOAWAY, then close): a stream error would still have to decode the header block to keep
 * HPACK's table in step, and §5.4 lets an endpoint treat any stream error as a connection error. A stream either end
 * reset is left to Netty, which ignores or refuses late frames as §5.1 allows, and so is anything older than the
 * history kept ({@value #HISTORY} streams). These are h2spec's cases http2/5.1/6, 5.1/12 and 5.1.1/2.
 *
 * <p>It also bounds how long the client may take over what it has begun: a frame (the connection preface included)
 * and a header block (HEADERS and its CONTINUATION frames) must arrive whole within {@code
 * server.request_header_timeout}, else the connection closes, as nginx's {@code client_header_timeout} does for
 * HTTP/2. Without it a client sending a frame a byte at a time held a connection for {@code idle_timeout}, each byte
 * resetting the idle clock: the slowloris of HTTP/2.
 */
final class Http2StreamStateGuard extends ChannelInboundHandlerAdapter implements FrameHeaderScanner.Visitor {
  static final String NAME = "sidecarH2StreamStates";
  /** How many recently ended streams and skipped identifier ranges are remembered. */
  static final int HISTORY = 128;

  private final Http2ConnectionHandler http2;
  private final ChannelHandlerContext http2Context;
  private final Http2Connection connection;
  private FrameHeaderScanner scanner = new FrameHeaderScanner();
  /** The client's bytes from its first read that Netty must not decode before the guard has judged them. */
  private ByteBuf heldBack;
  /** Streams that closed after both ends sent END_STREAM, newest last. */
  private final RecentIds endedNormally = new RecentIds();
  /** Streams the client reset; read before Netty closes them, so a reset stream is not taken as ended normally. */
  private final RecentIds resetByClient = new RecentIds();
  /** Identifier ranges the client skipped, as [first, last] pairs. */
  private final RecentIds skipped = new RecentIds();
  private int highestOpened;
  /** A HEADERS or PUSH_PROMISE without END_HEADERS came, and no CONTINUATION with it yet. */
  private boolean headerBlockOpen;
  /** Runs while a frame or header block is incomplete; null when the timeout is off. */
  private final LazyDeadline incomplete;
  private final long timeoutNanos;

  // per piece being scanned
  private ChannelHandlerContext ctx;
  private ByteBuf piece;
  private int forwardedTo;
  private boolean failed;

  private Http2StreamStateGuard(Http2ConnectionHandler http2, ChannelHandlerContext http2Context, long timeoutNanos,
                                 Runnable timedOut) {
    this.http2 = http2;
    this.http2Context = http2Context;
    this.connection = http2.connection();
    this.timeoutNanos = timeoutNanos;
    this.incomplete = timeoutNanos <= 0 ? null : LazyDeadline.on(http2Context.executor(), () -> {
      timedOut.run();
      http2Context.channel().close();
    });
    this.highestOpened = connection.remote().lastStreamCreated();
    connection.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        int id = stream.id();
        if (connection.remote().isValidStreamId(id) && !stream.isResetSent() && !resetByClient.contains(id)) {
          endedNormally.add(id);
        }
      }
    });
  }

  /**
   * In front of Netty's HTTP/2 handler of a server connection Vert.x has just announced; nothing for HTTP/1.x.
   *
   * <p>Vert.x announces an HTTP/2 connection when it reads the client's first SETTINGS frame: while Netty decodes it
   * (h2c with prior knowledge, TLS), or, after an h2c upgrade, before the client's connection preface. In the first
   * case, what the client sent after that frame is already in Netty's buffer, and Netty decodes it as soon as this
   * returns. The guard reads the frame headers there for its history; from the first frame it would have to judge
   * (HEADERS on a stream already opened) it takes the rest out of Netty's buffer and hands it on through itself once
   * Netty has decoded the frames before (at the end of this read, or first thing in the next). Without access to
   * that buffer the guard is not installed, and Netty's answers stand.
   */
  static void install(HttpConnection connection, long timeoutNanos, Runnable timedOut) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    ChannelHandlerContext context = pipeline.context(Http2ConnectionHandler.class);
    if (context == null || pipeline.get(NAME) != null || UNDECODED == null) return;
    Http2ConnectionHandler http2 = (Http2ConnectionHandler) context.handler();
    Http2StreamStateGuard guard = new Http2StreamStateGuard(http2, context, timeoutNanos, timedOut);
    if (http2.decoder().prefaceReceived()) {
      ByteBuf undecoded;
      try {
        undecoded = (ByteBuf) UNDECODED.invoke(http2);
      } catch (Throwable e) {
        return;
      }
      guard.holdBackFromFirstJudgedFrame(undecoded);
    } else {
      guard.scanner.skip(CLIENT_PREFACE_LENGTH);
    }
    pipeline.addBefore(context.name(), NAME, guard);
    guard.timeIncomplete();
    if (guard.heldBack != null) {
      ChannelHandlerContext own = pipeline.context(NAME);
      own.executor().execute(() -> guard.passHeldBack(own)); // when no read follows this one
    }
  }

  /**
   * Scans the bytes Netty holds undecoded; from the first frame to judge on, moves them out of Netty's buffer (whose
   * earlier frames Netty then decodes alone) into {@link #heldBack}, and restarts the scanner at that frame.
   */
  private void holdBackFromFirstJudgedFrame(ByteBuf undecoded) {
    int[] judgedFrom = {-1};
    scanner.scan(undecoded, (type, flags, streamId, length, start) -> {
      noteHeaderBlock(type, flags);
      if (!track(type, streamId)) return true; // to the end: the scanner must stop where Netty's bytes do
      judgedFrom[0] = start;
      return false;
    });
    if (judgedFrom[0] < 0) return;
    int from = judgedFrom[0];
    heldBack = undecoded.alloc().buffer(undecoded.writerIndex() - from);
    heldBack.writeBytes(undecoded, from, undecoded.writerIndex() - from);
    undecoded.writerIndex(from);
    scanner = new FrameHeaderScanner();
  }

  private void passHeldBack(ChannelHandlerContext ctx) {
    ByteBuf bytes = heldBack;
    if (bytes == null) return;
    heldBack = null;
    if (ctx.isRemoved()) {
      bytes.release();
    } else {
      read(ctx, bytes);
    }
  }

  /** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4), which comes before the first frame. */
  private static final int CLIENT_PREFACE_LENGTH = 24;

  /** Netty's {@code ByteToMessageDecoder.internalBuffer()}: the bytes received and not yet decoded. */
  private static final MethodHandle UNDECODED = undecodedBytes();

  private static MethodHandle undecodedBytes() {
    try {
      Method method = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
      method.setAccessible(true);
      return MethodHandles.lookup().unreflect(method);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    passHeldBack(ctx);
    read(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    passHeldBack(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (heldBack != null) heldBack.release();
    heldBack = null;
    if (incomplete != null) incomplete.stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (incomplete != null) incomplete.stop();
    ctx.fireChannelInactive();
  }

  /** The deadline runs from the first byte of an incomplete frame or header block until it is whole. */
  private void timeIncomplete() {
    if (incomplete == null) return;
    boolean waiting = scanner.midFrame() || headerBlockOpen;
    if (!waiting) incomplete.disarm();
    else if (!incomplete.isArmed()) incomplete.arm(System.nanoTime(), timeoutNanos);
  }

  private void noteHeaderBlock(int type, int flags) {
    if (type == FrameHeaderScanner.HEADERS || type == FrameHeaderScanner.PUSH_PROMISE
        || type == FrameHeaderScanner.CONTINUATION) {
      headerBlockOpen = (flags & FrameHeaderScanner.END_HEADERS) == 0;
    }
  }

  private void read(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg); // the connection is closing after its GOAWAY
      return;
    }
    if (!(msg instanceof ByteBuf bytes)) {
      ctx.fireChannelRead(msg);
      return;
    }
    this.ctx = ctx;
    this.piece = bytes;
    this.forwardedTo = bytes.readerIndex();
    try {
      scanner.scan(bytes, this);
      timeIncomplete();
      if (failed) {
        bytes.release();
      } else if (forwardedTo == bytes.readerIndex()) {
        ctx.fireChannelRead(bytes);
      } else {
        forwardUpTo(bytes.writerIndex());
        bytes.release();
      }
    } finally {
      this.ctx = null;
      this.piece = null;
    }
  }

  /**
   * Keeps the history a frame header adds to; true when the frame is HEADERS on a stream the client opened before
   * (trailers, or a frame the rules are about).
   */
  private boolean track(int type, int streamId) {
    if (type == FrameHeaderScanner.RST_STREAM) {
      resetByClient.add(streamId);
      return false;
    }
    if (type != FrameHeaderScanner.HEADERS || !connection.remote().isValidStreamId(streamId)) return false;
    if (streamId > highestOpened) {
      int firstSkipped = highestOpened == 0 ? 1 : highestOpened + 2;
      if (streamId > firstSkipped) skipped.add(firstSkipped, streamId - 2);
      highestOpened = streamId;
      return false;
    }
    return true;
  }

  @Override
  public boolean frame(int type, int flags, int streamId, int length, int start) {
    noteHeaderBlock(type, flags);
    if (!track(type, streamId)) return true;
    // Netty must first have read every frame before this one: their effect is the state judged here
    forwardUpTo(start);
    Http2Error error = violation(streamId);
    if (error == null) return true;
    failed = true;
    http2.onError(http2Context, false, Http2Exception.connectionError(error,
        "HEADERS on stream %d, %s", streamId, error == Http2Error.PROTOCOL_ERROR
            ? "numbered below a stream already opened (RFC 9113 5.1.1)"
            : "which the client had already ended (RFC 9113 5.1)"));
    return false;
  }

  /** What a HEADERS frame on {@code streamId}, at most the highest opened, breaks; null when nothing. */
  private Http2Error violation(int streamId) {
    Http2Stream stream = connection.stream(streamId);
    if (stream != null) {
      boolean endedByClient = stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
          || stream.state() == Http2Stream.State.CLOSED;
      return endedByClient && !stream.isResetSent() ? Http2Error.STREAM_CLOSED : null; // else trailers, or Netty's
    }
    if (skipped.containsInRange(streamId)) return Http2Error.PROTOCOL_ERROR;
    return endedNormally.contains(streamId) ? Http2Error.STREAM_CLOSED : null;
  }

  /** Hands Netty the bytes of the current piece before {@code index} that it has not had yet. */
  private void forwardUpTo(int index) {
    if (index > forwardedTo) {
      ctx.fireChannelRead(piece.retainedSlice(forwardedTo, index - forwardedTo));
      forwardedTo = index;
    }
  }

  /** The last {@link #HISTORY} values added (or pairs of them), in a ring; allocated at the first. */
  static final class RecentIds {
    private int[] ring;
    private int next;
    private int size;

    void add(int id) {
      if (ring == null) ring = new int[HISTORY];
      ring[next] = id;
      next = (next + 1) % HISTORY;
      size = Math.min(size + 1, HISTORY);
    }

    void add(int first, int last) {
      add(first);
      add(last);
    }

    boolean contains(int id) {
      for (int i = 0; i < size; i++) {
        if (ring[i] == id) return true;
      }
      return false;
    }

    /** Whether {@code id} lies in one of the [first, last] pairs added with {@link #add(int, int)}. */
    boolean containsInRange(int id) {
      for (int i = 0; i + 1 < size; i += 2) {
        if (ring[i] <= id && id <= ring[i + 1]) return true;
      }
      return false;
    }
  }
}
