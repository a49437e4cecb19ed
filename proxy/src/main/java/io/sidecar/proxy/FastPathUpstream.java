package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.sidecar.proxy.http1.ChunkedBodyScanner;
import io.sidecar.proxy.http1.FieldNames;
import io.sidecar.proxy.http1.ResponseHeadParser;

/**
 * The response side of one pooled upstream connection of the byte-level path: finds the response head and the end
 * of its body in the bytes (RFC 9112 §6.3) and hands both to the {@link RawResponseSink} it serves, body as slices
 * of the buffers read (a small body that came whole with its head goes in the head's buffer instead). Between exchanges the connection is idle; bytes arriving then make it unusable, and it closes
 * once idle for the pool's {@code idle_timeout}. (Not with Netty's {@code IdleStateHandler}: counting writes, it
 * hung a listener on every write's promise, an object and a callback per request.)
 */
final class FastPathUpstream extends ChannelInboundHandlerAdapter {
  static final AttributeKey<RawUpstreamPool.UpstreamEndpoint> ENDPOINT = AttributeKey.valueOf("sidecar.raw-endpoint");
  private static final int MAX_RESPONSE_HEAD = 64 * 1024;
  /**
   * A body of at most this many bytes that arrived whole with its head goes downstream in the head's buffer. One
   * copy of a few KiB costs less than a retained slice: an object, two atomic reference-count updates, an entry in
   * the outbound buffer and an iovec of its own (loadtest/README.md, "Small response bodies").
   */
  static final int INLINE_BODY_MAX = 4096;

  /** HELD: a final head read and left in the buffer, the connection paused, while the exchange decides a retry. */
  private enum State { IDLE, HEAD, HELD, LENGTH, CHUNKED, UNTIL_CLOSE }

  private final ResponseHeadParser head = new ResponseHeadParser(MAX_RESPONSE_HEAD);
  private final ChunkedBodyScanner chunks = new ChunkedBodyScanner();
  private final long idleTimeoutNanos;
  private LazyDeadline idleDeadline;
  /** Kept: a closed channel's pipeline no longer finds this handler, and a held response may outlive the close. */
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  private long remaining;
  private ByteBuf buf;
  private RawResponseSink exchange;
  private boolean bodyless;
  /** The client reads HTTP/1.0: a chunked body goes to it decoded, its end marked by the close (RFC 9112 §7.1). */
  private boolean unchunked;
  /** The upstream closed the connection while its response was held. */
  private boolean closedWhileHeld;
  /** Exchanges this connection was given, the current one included. */
  private long exchanges;

  FastPathUpstream(long idleTimeoutNanos) {
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    idleDeadline = LazyDeadline.on(ctx.executor(), () -> {
      if (exchange == null) ctx.close();
    });
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    idleDeadline.arm(System.nanoTime(), idleTimeoutNanos); // idle until its first exchange
    ctx.fireChannelActive();
  }

  /**
   * Starts serving {@code exchange}; {@code bodyless}: a HEAD request, whose response has no body; {@code unchunked}:
   * the client speaks HTTP/1.0, so a chunked body reaches it as its bare data; {@code alsoDropped}: fields the route's
   * response rules remove or replace (null: none).
   */
  void attach(RawResponseSink exchange, boolean bodyless, boolean unchunked, FieldNames alsoDropped) {
    idleDeadline.disarm();
    this.exchange = exchange;
    this.bodyless = bodyless;
    this.unchunked = unchunked;
    this.closedWhileHeld = false;
    head.unchunked(unchunked);
    head.alsoDrop(alsoDropped);
    this.state = State.HEAD;
    exchanges++;
  }

  /** Whether the current exchange is not this connection's first. */
  boolean reused() {
    return exchanges > 1;
  }

  /** The exchange let go of this connection early (failed or timed out); the connection is closed by it. */
  void detach() {
    exchange = null;
    if (state == State.HELD) { // a held response nobody will read
      state = State.IDLE;
      if (buf != null) {
        buf.release();
        buf = null;
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in) || exchange == null) {
      ReferenceCountUtil.release(msg);
      ctx.close(); // an answer nobody asked for: the connection's framing can no longer be trusted
      return;
    }
    buf = FastPathConnection.cumulate(ctx, buf, in);
    process(ctx);
  }

  /** Serves what the buffer holds to the exchange: the response head, then its body. */
  private void process(ChannelHandlerContext ctx) {
    while (buf != null && buf.isReadable() && exchange != null && state != State.HELD) {
      if (state == State.HEAD) {
        ResponseHeadParser.Result result = head.parse(buf);
        if (result == ResponseHeadParser.Result.INCOMPLETE) break;
        if (result == ResponseHeadParser.Result.MALFORMED) {
          notHttp(ctx, "malformed response head");
          break;
        }
        int status = head.status();
        if (status < 200) {
          if (status == 101) { // never asked for: the request had no Upgrade
            notHttp(ctx, "unexpected 101 response");
            break;
          }
          exchange.interimHead(head, buf);
          buf.skipBytes(head.headLength());
          continue;
        }
        if (exchange.holds(head)) { // the route retries this status: the head stays in buf, unread
          state = State.HELD;
          ctx.channel().config().setAutoRead(false);
          break;
        }
        boolean noBody = bodyless || status == 204 || status == 304;
        if (unchunked && !noBody && head.chunked() && !head.onlyChunked()) {
          // gzip, chunked: decoding the chunks would leave a coded body HTTP/1.0 cannot label (nginx: 502 too)
          notHttp(ctx, "a transfer coding an HTTP/1.0 client cannot read");
          break;
        }
        int inline = noBody ? 0 : inlineBody();
        exchange.responseHead(head, buf, inline);
        buf.skipBytes(head.headLength() + inline);
        if (noBody) {
          end(ctx);
        } else if (head.chunked()) {
          chunks.reset(unchunked);
          state = State.CHUNKED;
        } else if (head.contentLength() >= 0) {
          remaining = head.contentLength() - inline;
          state = State.LENGTH;
          if (remaining == 0) end(ctx);
        } else {
          state = State.UNTIL_CLOSE;
        }
        continue;
      }
      int n;
      if (state == State.LENGTH) {
        n = (int) Math.min(remaining, buf.readableBytes());
        remaining -= n;
      } else if (state == State.CHUNKED) {
        n = chunks.scan(buf);
        if (n < 0) {
          notHttp(ctx, "malformed chunked body");
          break;
        }
      } else {
        n = buf.readableBytes();
      }
      if (n > 0 && state == State.CHUNKED && unchunked) {
        ByteBuf data = chunkData(ctx);
        buf.skipBytes(n);
        if (data != null) exchange.responseBody(data);
      } else if (n > 0) {
        exchange.responseBody(buf.readRetainedSlice(n));
      }
      if ((state == State.LENGTH && remaining == 0) || (state == State.CHUNKED && chunks.done())) end(ctx);
      else if (n == 0) break;
    }
    if (buf != null && !buf.isReadable()) {
      buf.release();
      buf = null;
    }
  }

  /** The response cannot be relayed (502 UPE): the connection's framing is lost, so it closes. */
  private void notHttp(ChannelHandlerContext ctx, String detail) {
    RawResponseSink ex = exchange;
    exchange = null;
    ctx.close();
    ex.upstreamFailed(ResponseFlag.UPSTREAM_PROTOCOL_ERROR, detail);
  }

  /** The held response goes downstream after all ({@link RawResponseSink#holds}): it is read from its head on. */
  void relayHeld() {
    state = State.HEAD;
    if (closedWhileHeld) {
      process(ctx);
      closed(ctx); // the end of what came, as if the close came now
    } else {
      ctx.channel().config().setAutoRead(true);
      process(ctx);
    }
    if (exchange != null) exchange.flushDownstream();
  }

  /**
   * The chunk data the last scan passed, for a client that gets it decoded: a slice when it is one span, else one
   * copy of all (a body of many small chunks must not become as many buffers in the client's write queue); null when
   * the scan passed framing only.
   */
  private ByteBuf chunkData(ChannelHandlerContext ctx) {
    int spans = chunks.dataSpans();
    if (spans == 0) return null;
    if (spans == 1) return buf.retainedSlice(chunks.dataStart(0), chunks.dataEnd(0) - chunks.dataStart(0));
    int bytes = 0;
    for (int i = 0; i < spans; i++) bytes += chunks.dataEnd(i) - chunks.dataStart(i);
    ByteBuf data = ctx.alloc().buffer(bytes);
    for (int i = 0; i < spans; i++) data.writeBytes(buf, chunks.dataStart(i), chunks.dataEnd(i) - chunks.dataStart(i));
    return data;
  }

  /** How much of the body goes in the head's buffer: all of a small Content-Length body already in buf, else 0. */
  private int inlineBody() {
    long length = head.contentLength(); // -1 when absent or when Transfer-Encoding is present
    return length > 0 && length <= INLINE_BODY_MAX && buf.readableBytes() - head.headLength() >= length ? (int) length : 0;
  }

  /** The response is complete; the connection is reusable only if nothing else arrived behind it. */
  private void end(ChannelHandlerContext ctx) {
    RawResponseSink ex = exchange;
    exchange = null;
    String trailers = unchunked && state == State.CHUNKED ? chunks.trailerSection() : null;
    if (state == State.CHUNKED) ex.chunkedBodyLength(chunks.declaredLength());
    state = State.IDLE;
    boolean clean = buf == null || !buf.isReadable();
    // A HEAD response may lack a length without being close-delimited: only its Connection field decides.
    boolean reusable = bodyless ? head.persistentConnection() : head.keepAlive();
    if (trailers != null) ex.responseTrailers(trailers);
    // before the pool may hand it to a waiter
    idleDeadline.arm(System.nanoTime(), KeepAliveMargin.idleNanos(idleTimeoutNanos, head.keepAliveTimeoutSeconds()));
    ex.responseEnd(ctx.channel(), clean && reusable);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) exchange.flushDownstream();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) exchange.upstreamWritable(ctx.channel().isWritable());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    idleDeadline.stop();
    if (state == State.HELD && exchange != null) {
      closedWhileHeld = true; // the buffer may hold the whole response: relayHeld reads it, or detach drops it
      return;
    }
    closed(ctx);
  }

  /** The connection is closed: what was read is all there is of the response in flight. */
  private void closed(ChannelHandlerContext ctx) {
    boolean nothingReceived = buf == null || !buf.isReadable();
    if (buf != null) {
      buf.release();
      buf = null;
    }
    RawResponseSink ex = exchange;
    exchange = null;
    if (ex == null) return;
    if (state == State.UNTIL_CLOSE) ex.responseEnd(ctx.channel(), false); // RFC 9112 §6.3 item 8: close ends it
    else if (state == State.HEAD && nothingReceived) ex.closedBeforeResponse();
    else ex.upstreamFailed(ResponseFlag.UPSTREAM_RESET, state == State.HEAD
        ? "upstream closed the connection before a response" : "upstream closed the connection mid-body");
  }
}
