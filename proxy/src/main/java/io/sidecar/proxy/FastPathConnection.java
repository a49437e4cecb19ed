package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.sidecar.proxy.http1.RequestHeadParser;
import io.sidecar.proxy.http1.RequestLineVersion;
import java.net.InetSocketAddress;

/**
 * The byte-level path of one plain HTTP/1.1 client connection. It sits in front of Vert.x's HTTP decoder and
 * takes the requests it fully understands on routes whose needs it covers (balancing, timeouts, retries, header
 * rules on fields it does not frame itself, metrics and signals: {@link FastPath#eligible}); those it relays as bytes
 * through a {@link FastPathExchange}, bodies with a length or chunked. At the first request it does not take (an
 * unusual or malformed head, a cache miss, a fault that fires, an upgrade) it steps aside: it passes that request's
 * bytes on to Vert.x's decoder and lets everything through until a {@link FastPathGate} finds Vert.x done with all it
 * read. Hand-overs happen only between requests, so
 * each request is parsed by exactly one of the two, and everything ambiguous meets Netty's strict decoder.
 *
 * <p>One request is in flight at a time; pipelined requests wait in the buffer (reading pauses meanwhile). A
 * close from Vert.x (a server shutdown) waits for the exchange in flight.
 */
final class FastPathConnection extends ChannelDuplexHandler {
  private final ProxyRuntime runtime;
  private final FastPath.Listener listener;
  private final RequestHeadParser parser;
  private final FastPathFacts facts;
  private ChannelHandlerContext ctx;
  private ByteBuf buf;
  private FastPathExchange current;
  /** Until open, every byte goes on to Vert.x's decoder ({@link FastPathGate} opens it). */
  private boolean open;
  /**
   * Vert.x has announced the connection ({@link FastPath#install}). Only a connection {@link EarlyFastPath} took at
   * accept is ever open before that; a request it hands over then makes Vert.x announce it.
   */
  private boolean announced;
  private FastPathGate gate;
  private boolean processing;
  /** Cache hits were written in this pass of {@link #process}: one flush for all of them at its end. */
  private boolean unflushed;
  private boolean inactive;
  private ChannelPromise deferredClose;
  private String clientAddress;
  /** The route timeout of the exchange in flight: one timer per connection, not one per request. */
  private LazyDeadline routeDeadline;
  /** The per-try timeout of a retrying route's exchange in flight; made at its first use. */
  private LazyDeadline tryDeadline;
  /** {@code server.request_header_timeout} for the heads this path reads; null when off. */
  private RequestHeadDeadline headDeadline;

  FastPathConnection(FastPath.Listener listener) {
    this.runtime = listener.runtime();
    this.listener = listener;
    this.parser = new RequestHeadParser(listener.maxHeadBytes());
    this.facts = new FastPathFacts(parser);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.routeDeadline = LazyDeadline.on(ctx.executor(), () -> {
      if (current != null) current.timedOut();
    });
    this.headDeadline = RequestHeadTimeout.of(ctx.pipeline());
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  /** Whether a request without {@code x-request-id} gets one ({@code server.generate_request_id}). */
  boolean generatesRequestIds() {
    return listener.generateRequestId();
  }

  /** {@code https} on a TLS listener, else {@code http}. */
  String scheme() {
    return listener.scheme();
  }

  /** The client's IP as X-Forwarded-For names it (computed once per connection). */
  String clientAddress() {
    if (clientAddress == null && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
      clientAddress = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }
    return clientAddress;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!open || !(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (inactive) {
      in.release();
      return;
    }
    buf = cumulate(ctx, buf, in);
    process();
  }

  /** Serves what the buffer holds: the body of the request in flight, or the next head. */
  private void process() {
    if (processing) return; // an exchange that ended inside the loop: the loop goes on with the next request
    processing = true;
    try {
      while (buf != null && buf.isReadable() && !inactive) {
        if (current != null) {
          if (!current.requestBodyPending()) {
            ctx.channel().config().setAutoRead(false); // a pipelined request: wait for this response first
            break;
          }
          current.readRequestBody(buf);
          continue;
        }
        if (deferredClose != null) break;
        RequestHeadParser.Result result = parser.parse(buf);
        if (result == RequestHeadParser.Result.INCOMPLETE) break;
        RoutingSnapshot.CompiledRoute route = result == RequestHeadParser.Result.SIMPLE ? route() : null;
        if (route == null || parser.contentLength() > listener.maxRequestBody()) {
          stepAside(result == RequestHeadParser.Result.SIMPLE);
          return;
        }
        long startNanos = System.nanoTime();
        RoutingSnapshot.SplitTarget target = route.pick();
        io.sidecar.fault.FaultDecision fault = fault(route, target);
        if (fault != null) {
          new PinnedFault(route, target, fault).pin(ctx.channel());
          stepAside(true);
          return;
        }
        if (!route.byteLevel()) { // a caching route: its fresh hits in memory are answered here, the rest is Vert.x's
          FastPathCacheHit.Served hit = FastPathCacheHit.serve(runtime, this, parser, route, target, startNanos);
          if (hit == null) {
            stepAside(true);
            return;
          }
          listener.meters().requests().increment();
          headRead();
          buf.skipBytes(parser.headLength());
          unflushed = true;
          if (hit.close()) {
            inactive = true; // nothing behind a request that closes the connection is read (RFC 9112 §9.6)
            ctx.flush();
            ctx.close();
            break;
          }
          continue;
        }
        listener.meters().requests().increment();
        headRead();
        current = new FastPathExchange(runtime, this, route, target, parser, buf, startNanos, listener.maxRequestBody());
        buf.skipBytes(parser.headLength());
        current.start(buf);
      }
    } finally {
      processing = false;
      if (unflushed) {
        unflushed = false;
        ctx.flush();
      }
    }
    if (buf != null && !buf.isReadable()) {
      buf.release();
      buf = null;
    } else if (buf != null && current == null && headDeadline != null && !inactive && deferredClose == null) {
      headDeadline.headStarted(); // part of the next head: the rest must come within request_header_timeout
    }
  }

  private void headRead() {
    if (headDeadline != null) headDeadline.headRead();
  }

  /**
   * The route of a parsed head when the byte-level path may serve it, else null. A path to normalise ({@link
   * RequestPaths}) goes to the full path, which routes and forwards it normalised.
   */
  private RoutingSnapshot.CompiledRoute route() {
    if (RequestPaths.needsNormalizing(facts.path()) && RequestPaths.on(runtime)) return null;
    RouteTable table = runtime.snapshot().table(listener.name());
    RoutingSnapshot.CompiledRoute route = table == null ? null : table.match(facts);
    return route != null && (route.byteLevel() || route.byteLevelHits()) ? route : null;
  }

  /** From now on this handler takes the requests it can serve. */
  void open() {
    open = true;
  }

  /** Vert.x knows the connection now: its shutdown and hand-overs work as on any connection. */
  void announced() {
    announced = true;
  }

  boolean isOpen() {
    return open;
  }

  /** The connection stays Vert.x's for good (upgraded, closing, or no gate to come back through). */
  void leave() {
    if (gate != null && ctx.pipeline().context(gate) != null) ctx.pipeline().remove(gate);
    ctx.pipeline().remove(this);
  }

  /** The gate that gives this connection back after a hand-over. */
  void gate(FastPathGate gate) {
    this.gate = gate;
  }

  /** The fault decided for this request, or null when none fires (or none could). */
  private io.sidecar.fault.FaultDecision fault(RoutingSnapshot.CompiledRoute route, RoutingSnapshot.SplitTarget target) {
    io.sidecar.fault.FaultRegistry faults = runtime.faults();
    if (faults == null || !faults.mayAffect(route.spec().name())) return null;
    var decision = faults.decide(new FaultView(route.spec().name(), target.cluster().name(), facts));
    return decision.isNoFault() ? null : decision;
  }

  /**
   * Hands this request, and every request Vert.x's decoder reads behind it, to Vert.x. A {@link FastPathGate}
   * gives the connection back once Vert.x has answered all it read and its decoder holds no byte, so one cached
   * or unusual request does not keep the rest of a connection off this path. Without a gate (the decoder cannot
   * be inspected) the hand-over is for good.
   *
   * @param parsedHead the head parser took this head: its request line is origin-form HTTP/1.1 or 1.0, so it is neither
   *                   the HTTP/2 preface nor a version to judge (a cached route's requests skip both scans)
   */
  private void stepAside(boolean parsedHead) {
    ByteBuf rest = buf;
    buf = null;
    ctx.channel().config().setAutoRead(true);
    boolean http2 = !parsedHead && !announced && FirstRequestVersion.startsWithHttp2Preface(rest);
    if (!parsedHead && !http2 && rest != null && versionAnswered(rest)) return;
    if (!http2) listener.meters().handovers().increment();
    if (gate != null) {
      open = false;
      gate.arm();
    } else if (!announced && !http2) {
      open = false; // Vert.x announces the connection with this request: FastPath.install adds the gate
    } else {
      leave();
    }
    if (rest != null) {
      ctx.fireChannelRead(rest);
      ctx.fireChannelReadComplete();
    }
  }

  /**
   * Judges the HTTP-version of the request about to go to Vert.x ({@link RequestLineVersion}), which would answer
   * anything but HTTP/1.0 and 1.1 with 501: HTTP/1.2 to 1.9 goes on as HTTP/1.1; HTTP/2.0 to 9.9 is answered 505 here
   * and a version outside the grammar 400, as nginx and HAProxy answer them, and the connection closes.
   *
   * @return whether the request was answered here
   */
  private boolean versionAnswered(ByteBuf rest) {
    if (!RequestLineVersion.hasRequestLine(rest)) { // handed over mid-line: judged once the line is whole
      ctx.pipeline().addAfter(ctx.name(), null, new FirstRequestVersion(() -> runtime.metrics().badRequest(listener.name())));
      return false;
    }
    RequestLineVersion.Verdict verdict = RequestLineVersion.judge(rest); // lowers HTTP/1.2-1.9 to 1.1 in place
    if (verdict == RequestLineVersion.Verdict.AS_IS || verdict == RequestLineVersion.Verdict.LOWER_TO_1_1) return false;
    rest.release();
    inactive = true; // reads nothing more: the connection closes after the answer
    HttpVersionGuard.reject(ctx, verdict, () -> runtime.metrics().badRequest(listener.name()));
    return true;
  }

  /** The exchange in flight times out {@code timeoutNanos} after {@code startNanos} (504 UT). */
  void routeTimeout(long startNanos, long timeoutNanos) {
    routeDeadline.arm(startNanos, timeoutNanos);
  }

  /** The current try of the exchange in flight times out {@code timeoutNanos} after {@code startNanos}. */
  void tryTimeout(long startNanos, long timeoutNanos) {
    if (tryDeadline == null) {
      tryDeadline = LazyDeadline.on(ctx.executor(), () -> {
        if (current != null) current.tryTimedOut();
      });
    }
    tryDeadline.arm(startNanos, timeoutNanos);
  }

  /** The current try has its response head, or failed: its timeout is over. */
  void tryTimeoutOver() {
    if (tryDeadline != null) tryDeadline.disarm();
  }

  /** The exchange in flight ended; {@code close}: the connection must not serve another request. */
  void exchangeDone(boolean close) {
    current = null;
    routeDeadline.disarm();
    tryTimeoutOver();
    if (inactive) return;
    if (close || deferredClose != null) {
      ChannelPromise promise = deferredClose != null ? deferredClose : ctx.newPromise();
      deferredClose = null;
      inactive = true; // nothing behind this request is read, not even what the buffer holds (RFC 9112 §9.6)
      ctx.flush();
      ctx.close(promise);
      return;
    }
    if (!ctx.channel().config().isAutoRead()) ctx.channel().config().setAutoRead(true);
    if (buf != null) {
      ctx.channel().eventLoop().execute(this::process); // outside the upstream's read: no deep recursion
    }
  }

  /**
   * Whether the connection is to close after the exchange in flight: Vert.x closed it for a graceful shutdown. Its
   * response then says {@code connection: close}, as nginx's and Envoy's do while they drain, so that the client
   * sends its next request elsewhere instead of onto a connection about to close.
   */
  boolean draining() {
    return deferredClose != null;
  }

  /** Reading from the client pauses while the upstream cannot take more of the request body. */
  void requestBodyBackPressure(boolean pause) {
    ctx.channel().config().setAutoRead(!pause);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) current.downstreamWritable(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (current != null && !inactive) {
      deferredClose = promise; // Vert.x's shutdown sees no request in flight on this connection: wait for ours
      return;
    }
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive = true;
    routeDeadline.stop();
    if (tryDeadline != null) tryDeadline.stop();
    if (buf != null) {
      buf.release();
      buf = null;
    }
    FastPathExchange ex = current;
    current = null;
    if (ex != null) ex.downstreamClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!open) ctx.fireExceptionCaught(cause); // Vert.x owns the connection still
    else ctx.close(); // a socket error: channelInactive ends the exchange in flight
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    routeDeadline.stop();
    if (tryDeadline != null) tryDeadline.stop();
    if (buf != null) {
      ReferenceCountUtil.release(buf);
      buf = null;
    }
  }

  /** Appends {@code in} to what is left of {@code cumulation} (either may be consumed). */
  static ByteBuf cumulate(ChannelHandlerContext ctx, ByteBuf cumulation, ByteBuf in) {
    if (cumulation == null) return in;
    ByteBuf merged = ctx.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
    merged.writeBytes(cumulation).writeBytes(in);
    cumulation.release();
    in.release();
    return merged;
  }
}
