package io.sidecar.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;

/**
 * {@code server.request_header_timeout} on one client connection ({@link RequestHeadDeadline}). It sits at the
 * front of the pipeline, behind TLS, where it sees whether the client has sent anything and from where it writes
 * the 408. The reader of each head tells it when that head began and ended: the byte-level path itself, and for
 * Vert.x's decoder a {@link DecodedRequests} watch behind Vert.x's HTTP/1.x codec.
 */
final class RequestHeadTimeout extends ChannelInboundHandlerAdapter {
  static final String NAME = "sidecarHeadTimeout";
  private static final String WATCH_NAME = "sidecarHeadWatch";
  private static final byte[] REQUEST_TIMEOUT =
      "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final long timeoutNanos;
  private final Runnable timedOut;
  private ChannelHandlerContext ctx;
  private RequestHeadDeadline deadline;
  /** Vert.x's decoder's side, once Vert.x has announced an HTTP/1.x connection. */
  private DecodedRequests watch;

  private RequestHeadTimeout(long timeoutNanos, Runnable timedOut) {
    this.timeoutNanos = timeoutNanos;
    this.timedOut = timedOut;
  }

  /**
   * Times the heads of a connection just accepted ({@code timeoutNanos} > 0), Vert.x's pipeline set-up done: behind
   * its TLS handler if it has one, else first. {@code timedOut} counts an expiry.
   */
  static void place(ChannelPipeline pipeline, long timeoutNanos, Runnable timedOut) {
    if (timeoutNanos <= 0 || pipeline.get(NAME) != null) return;
    RequestHeadTimeout handler = new RequestHeadTimeout(timeoutNanos, timedOut);
    // Vert.x names its TLS handler "ssl": an SslHandler, or with SNI a handler that becomes one after the hello
    ChannelHandlerContext tls = pipeline.context("ssl");
    if (tls == null) tls = pipeline.context(SslHandler.class);
    if (tls != null) pipeline.addAfter(tls.name(), NAME, handler);
    else pipeline.addFirst(NAME, handler);
  }

  /** The head deadline of the connection {@code pipeline} belongs to, or null when it has none. */
  static RequestHeadDeadline of(ChannelPipeline pipeline) {
    return pipeline.get(NAME) instanceof RequestHeadTimeout timeout ? timeout.deadline : null;
  }

  /**
   * Vert.x has announced {@code connection}: an HTTP/1.x one gets a watch behind its codec (on a listener that also
   * speaks h2c, Vert.x announces it while dispatching the first request, whose head is then read); an HTTP/2 one
   * has no head to wait for any more.
   */
  static void watch(HttpConnection connection) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channelHandlerContext().pipeline();
    RequestHeadDeadline deadline = of(pipeline);
    if (deadline == null || pipeline.get(WATCH_NAME) != null) return;
    ChannelHandler decoder = pipeline.get("httpDecoder");
    if (!(connection instanceof Http1xServerConnection) || decoder == null || pipeline.get("httpEncoder") == null) {
      deadline.stop();
      return;
    }
    boolean firstRequestRead = pipeline.get("h2c") != null;
    if (firstRequestRead) deadline.headRead();
    FastPathConnection fastPath = pipeline.get(FastPath.HANDLER_NAME) instanceof FastPathConnection f ? f : null;
    DecodedRequests watch = new DecodedRequests(deadline, decoder, fastPath, firstRequestRead);
    pipeline.addAfter("httpEncoder", WATCH_NAME, watch);
    ((RequestHeadTimeout) pipeline.get(NAME)).watch = watch;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    deadline = new RequestHeadDeadline(System::nanoTime, LazyDeadline.timerOf(ctx.executor()), timeoutNanos, this::expired);
    deadline.accepted();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!deadline.sawByte()) deadline.byteRead();
    if (watch != null) watch.bytesArrived();
    ctx.fireChannelRead(msg);
  }

  private void expired(RequestHeadDeadline.Expiry how) {
    if (!ctx.channel().isActive()) return;
    timedOut.run();
    if (how == RequestHeadDeadline.Expiry.REQUEST_TIMEOUT) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    deadline.stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (deadline != null) deadline.stop();
  }

  /**
   * Behind Vert.x's HTTP/1.x codec: a decoded request is a head read. Bytes that arrive once every request so far has
   * been read to its end belong to the next head; it is timed once every request so far is answered too, at once or
   * at the end of the last answer (a pipelined head). The decoder may also hold the start of a head that came in one
   * read with the end of the request before. A 101 ends the HTTP/1.x part of the connection. While the byte-level
   * path serves, Vert.x's decoder gets no byte.
   */
  private static final class DecodedRequests extends ChannelDuplexHandler {
    private final RequestHeadDeadline deadline;
    private final ChannelHandler decoder;
    private final boolean inspectable;
    /** The connection's byte-level path, or null. */
    private final FastPathConnection fastPath;
    private long heads;
    private long requestsRead;
    private long responses;
    /** Bytes of a next head have arrived (the decoder may have consumed a whole request line of them). */
    private boolean nextHeadBytes;

    DecodedRequests(RequestHeadDeadline deadline, ChannelHandler decoder, FastPathConnection fastPath,
                    boolean firstRequestRead) {
      this.deadline = deadline;
      this.decoder = decoder;
      this.fastPath = fastPath;
      this.inspectable = DecoderBuffer.inspectable(decoder);
      this.heads = firstRequestRead ? 1 : 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        heads++;
        nextHeadBytes = false;
        deadline.headRead();
      }
      if (msg instanceof LastHttpContent) requestsRead++;
      ctx.fireChannelRead(msg);
    }

    /** Bytes reached the connection, on their way to the byte-level path or to Vert.x's decoder. */
    void bytesArrived() {
      if (heads != requestsRead || (fastPath != null && fastPath.isOpen())) return;
      nextHeadBytes = true;
      if (responses == heads) deadline.headStarted();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      nextHeadBegun();
      ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse r && r.status().code() == 101) {
        deadline.stop();
        ctx.pipeline().remove(this);
        ctx.write(msg, promise);
        return;
      }
      // as in FastPathGate: an interim response (100 Continue) is not the answer
      boolean answered = !(msg instanceof HttpResponse r && r.status().code() < 200) && msg instanceof LastHttpContent;
      if (answered) responses++;
      ctx.write(msg, promise);
      if (answered) nextHeadBegun();
    }

    private void nextHeadBegun() {
      if (heads == requestsRead && requestsRead == responses && (fastPath == null || !fastPath.isOpen())
          && (nextHeadBytes || inspectable && DecoderBuffer.holdsBytes(decoder))) {
        deadline.headStarted();
      }
    }
  }
}
