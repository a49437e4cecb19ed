package io.sidecar.proxy;

import static io.sidecar.proxy.RawBuffers.CRLF;
import static io.sidecar.proxy.RawBuffers.released;
import static io.sidecar.proxy.RawBuffers.writeField;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.Pick;
import io.sidecar.config.RouteSpec;
import io.sidecar.proxy.http1.ResponseHeadParser;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One HTTP/2 request to an HTTP/1.1 cluster over the byte-level path's upstream pool ({@link RawUpstreamPool}): the
 * request head is written as bytes from the stream's fields, the response is read by {@link FastPathUpstream} (a
 * chunked body decoded, as for an HTTP/1.0 client) and written to the stream. What {@link Exchange} does for such a
 * request, without Vert.x's HTTP/1.1 client: 40 % of the event loop's samples in a profile of HTTP/2 clients
 * proxied to an HTTP/1.1 origin (loadtest/bench/h2.sh, 2026-12-07).
 *
 * <p>Taken for routes the byte-level path takes ({@link RoutingSnapshot.CompiledRoute#byteLevel}: no cache, hedging or
 * serving side, {@link FastPath#eligible}), and for requests that are not gRPC (which needs an HTTP/2 upstream;
 * {@link Exchange} keeps it). The upstream request, its fields, and the sidecar's own answers are the full path's: forwarding fields and the route's header rules through {@link UpstreamRequests}, a body framed by its
 * Content-Length or else chunked, a bodiless POST, PUT or PATCH with {@code content-length: 0}; the response's
 * fields without connection-specific ones (RFC 9113 §8.2.2), Via merged, a 103's fields as early hints, a chunked
 * body's trailer fields as trailing HEADERS. An idempotent bodiless request whose kept-alive connection closed before
 * any response byte is sent again once on a new connection ({@link UpstreamResend}).
 *
 * <p>Retries (a route's {@code retry}) as {@link FastPathExchange} makes them, by the same rules ({@link RawTries}):
 * a try that fails before its response head, or whose head has a retriable status, is followed by another after the
 * backoff; a retriable response is held, its upstream connection paused, until the next try is picked, and goes to
 * the client after all if the balancer refuses one. A body with a Content-Length within the policy's replay buffer
 * is read whole first and every try sends it; another body streams, and only a try none of whose request went out
 * (a connect failure) is retried, with the body read so far: what the full path does.
 *
 * <p>Every way the exchange ends goes through {@link #finish} once; everything runs on the stream's event loop.
 */
final class Http2RawExchange implements RawUpstreamPool.Waiter, RawResponseSink, RawTries.Steps {
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ProxyRuntime runtime;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final RouteSpec route;
  private final UpstreamCluster cluster;
  private final ProxyMetrics.RouteMeters meters;
  private final io.sidecar.predictor.signals.TrafficSignals signals;
  private final long startNanos;
  private final long maxRequestBody;
  /** The client connection's channel: the pool of its event loop serves it. */
  private final Channel downstream;
  /** The stream's context: timers started from the upstream connection's handler run on it. */
  private final ContextInternal context;
  private final boolean headRequest;
  /** The client's Content-Length, or -1. */
  private final long contentLength;

  /** What the client sends after its head: not known yet, nothing, or a body. */
  private enum Body { UNDECIDED, NONE, SOME }

  private Body body;
  /** The client's stream ended (its body, if any, is read). */
  private boolean bodyEnded;
  /** The body went upstream whole (or there was none). */
  private boolean bodySent;
  private long bodyRead;
  /** Body pieces read before the upstream connection was there (framed already). */
  private List<ByteBuf> pendingBody;
  /**
   * With retries, a body with a Content-Length within the replay buffer, read whole (framed) before the first try,
   * which every try sends a duplicate of; null otherwise. Released when the exchange ends.
   */
  private List<ByteBuf> replayBody;
  /** The tries: one, or with the route's retry policy as many as it allows. */
  private final RawTries tries;
  /** A try's request head went out. */
  private boolean requestWritten;
  /** The current try's own deadline (per_try_timeout), or null. */
  private LoopTimer tryTimer;
  private EndpointCall call;
  private long tryStartNanos;
  private Channel upstream;
  private FastPathUpstream upstreamHandler;
  /**
   * The request went out bodiless on a reused connection and no response byte has come back: if the upstream closes
   * now, it is sent again (its head is rebuilt). Once only ({@link #resent}).
   */
  private boolean mayResend;
  private boolean resent;
  private LoopTimer timer;
  private int status;
  private long headerNanos;
  private LoadHint hint = LoadHint.NONE;
  private boolean done;

  Http2RawExchange(ProxyRuntime runtime, HttpServerRequest request, RoutingSnapshot.CompiledRoute route,
                   UpstreamCluster cluster, ProxyMetrics.RouteMeters meters, long maxRequestBody, long startNanos) {
    this.runtime = runtime;
    this.request = request;
    this.response = request.response();
    this.route = route.spec();
    this.cluster = cluster;
    this.meters = meters;
    this.signals = route.signals();
    this.maxRequestBody = maxRequestBody;
    this.startNanos = startNanos;
    this.downstream = ((ConnectionBase) request.connection()).channel();
    this.context = (ContextInternal) runtime.vertx().getOrCreateContext();
    this.tries = RawTries.of(route, request.method().name(), startNanos);
    this.headRequest = request.method() == HttpMethod.HEAD;
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.contentLength = length == null ? -1 : Long.parseLong(length.trim());
    this.body = contentLength > 0 ? Body.SOME : contentLength == 0 || request.isEnded() ? Body.NONE : Body.UNDECIDED;
    if (tries.replays(contentLength)) replayBody = new ArrayList<>(4);
  }

  /**
   * Whether {@code request} on {@code route} to {@code cluster} is one this exchange serves: HTTP/2, a byte-level
   * route, a plain HTTP/1.1 cluster, not gRPC, a Content-Length (if any) it can read.
   */
  static boolean serves(HttpServerRequest request, RoutingSnapshot.CompiledRoute route, UpstreamCluster cluster,
                        ProxyRuntime runtime) {
    if (request.version() != HttpVersion.HTTP_2 || !route.byteLevel()) return false;
    if (cluster.rawPool() == null || GrpcLocalReply.isGrpc(request)) return false;
    if (!(request.connection() instanceof ConnectionBase)) return false;
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length == null || isDigits(length.trim());
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty() || s.length() > 18) return false;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    return true;
  }

  void start() {
    meters.started();
    signals.begin();
    if (route.hasTimeout()) {
      timer = LoopTimer.start(runtime.vertx(), route.timeout().toMillis(), () -> {
        timer = null;
        fail(ResponseFlag.UPSTREAM_TIMEOUT, "route timeout " + route.timeout().toMillis() + "ms exceeded");
      });
    }
    // HTTP/2 closes the stream after every response too: only one that never ended is the client going away
    response.closeHandler(v -> {
      if (!done && !response.ended()) downstreamClosed();
    });
    request.exceptionHandler(err -> downstreamClosed());
    request.handler(this::bodyPiece);
    request.endHandler(v -> bodyEnd());
    if (replayBody == null) nextTry(); // else the body first: its end starts the first try
    request.resume();
  }

  /** Picks an endpoint and asks the pool for a connection to it: the first try, or a retry after its backoff. */
  private void nextTry() {
    if (!done) tries.next(this, cluster.balancer(), System.nanoTime());
  }

  @Override
  public void dropHeld() { // paused mid-response, its connection cannot be reused
    closeUpstream(true);
  }

  @Override
  public void startTry(Pick pick, long tryTimeout, boolean ownDeadline) {
    call = new EndpointCall(pick.handle(), cluster.signals());
    tryStartNanos = System.nanoTime();
    if (ownDeadline) tryTimer = LoopTimer.on(context, tryTimeout / 1_000_000, this::tryTimedOut);
    cluster.rawPool().acquire(downstream, call.address(), cluster.address(call.address()), cluster.spec().pool(),
        tries.waiterFor(this, cluster.rawPool()));
  }

  // ---- the request side

  @Override
  public void ready(Channel channel) {
    if (done) {
      cluster.rawPool().release(channel);
      return;
    }
    upstream = channel;
    upstreamHandler = channel.pipeline().get(FastPathUpstream.class);
    // unchunked: a chunked body reaches the stream as its data, HTTP/2 framing its end (RFC 9113 §8.2.2)
    upstreamHandler.attach(this, headRequest, true, null);
    if (body != Body.UNDECIDED) sendHead();
  }

  @Override
  public boolean cancelled() {
    return done;
  }

  /** The head, then the body read so far, go upstream in one write. */
  private void sendHead() {
    mayResend = !resent && body == Body.NONE && UpstreamResend.resendable(request.method().name(), false)
        && upstreamHandler.reused();
    upstream.write(upstreamHead(), upstream.voidPromise());
    requestWritten = true;
    if (replayBody != null) replayBody.forEach(b -> upstream.write(b.retainedDuplicate(), upstream.voidPromise()));
    if (pendingBody != null) {
      pendingBody.forEach(b -> upstream.write(b, upstream.voidPromise()));
      pendingBody = null;
    }
    if (body == Body.NONE || bodyEnded) bodySent = true;
    upstream.flush();
    if (bodySent) return;
    if (upstream.isWritable()) request.resume();
    else request.pause();
  }

  private void bodyPiece(Buffer data) {
    if (done || data.length() == 0) return; // an empty DATA frame says nothing (some clients end a stream with one)
    bodyRead += data.length();
    if (bodyRead > maxRequestBody) {
      fail(ResponseFlag.REQUEST_BODY_TOO_LARGE, "request body exceeds " + maxRequestBody + " bytes");
      return;
    }
    if (contentLength >= 0 && bodyRead > contentLength) { // not held past its length (RFC 9113 §8.1.1: malformed)
      fail(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, "request body longer than its content-length " + contentLength);
      return;
    }
    boolean decides = body == Body.UNDECIDED;
    if (decides) body = Body.SOME;
    // copied: the stream's buffer is Vert.x's to reuse once this returns
    ByteBuf piece = ((BufferInternal) data).getByteBuf();
    ByteBuf framed;
    if (contentLength >= 0) {
      framed = downstream.alloc().buffer(piece.readableBytes()).writeBytes(piece);
    } else { // chunked: size line, data, CRLF
      String size = Integer.toHexString(piece.readableBytes());
      framed = downstream.alloc().buffer(size.length() + piece.readableBytes() + 4);
      framed.writeCharSequence(size, StandardCharsets.US_ASCII);
      framed.writeBytes(CRLF).writeBytes(piece).writeBytes(CRLF);
    }
    if (replayBody != null) { // read whole before the first try: no more than the replay buffer
      replayBody.add(framed);
      return;
    }
    if (upstream == null || decides) {
      if (pendingBody == null) pendingBody = new ArrayList<>(4);
      pendingBody.add(framed);
      if (upstream != null) sendHead();
      else request.pause(); // until connected: no more than what is held
      return;
    }
    upstream.writeAndFlush(framed, upstream.voidPromise());
    if (!upstream.isWritable()) request.pause();
  }

  private void bodyEnd() {
    if (done) return;
    bodyEnded = true;
    if (body == Body.UNDECIDED) {
      body = Body.NONE;
      if (upstream != null) sendHead();
      return;
    }
    if (body == Body.SOME && contentLength < 0) {
      ByteBuf last = downstream.alloc().buffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK);
      if (upstream == null) {
        if (pendingBody == null) pendingBody = new ArrayList<>(1);
        pendingBody.add(last);
        return;
      }
      upstream.writeAndFlush(last, upstream.voidPromise());
    }
    if (contentLength >= 0 && bodyRead != contentLength) {
      // RFC 9113 §8.1.1: a stream whose DATA disagrees with its content-length is malformed
      fail(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, "request body of " + bodyRead + " bytes, content-length "
          + contentLength);
      return;
    }
    if (replayBody != null) {
      nextTry(); // the body is whole: every try sends it
      return;
    }
    if (upstream != null) bodySent = true;
  }

  @Override
  public void upstreamWritable(boolean writable) {
    if (done || bodySent) return;
    if (writable) request.resume();
    else request.pause();
  }

  /**
   * The HTTP/1.1 request head: the request line with the route's path rewrite, Host, the client's end-to-end fields
   * with the forwarding fields and the route's rules ({@link UpstreamRequests#writeHeaders}), and the framing.
   */
  private ByteBuf upstreamHead() {
    String query = request.query();
    String path = RequestPaths.of(request, RequestPaths.on(runtime));
    String target = UpstreamRequests.rewriteUri(query == null ? path : path + "?" + query, route);
    MultiMap fields = MultiMap.caseInsensitiveMultiMap();
    UpstreamRequests.writeHeaders(request.headers(), UpstreamRequests.Forwarding.of(request), route, fields);
    fields.remove(HttpHeaders.CONTENT_LENGTH);
    fields.remove(HttpHeaders.TRANSFER_ENCODING);
    HostAndPort authority = UpstreamRequests.authority(request, route, cluster.address(call.address()));
    ByteBuf out = downstream.alloc().buffer(512); // not by fields.size(): Vert.x counts names in a TreeSet
    out.writeCharSequence(request.method().name(), StandardCharsets.US_ASCII);
    out.writeByte(' ');
    out.writeCharSequence(target, StandardCharsets.UTF_8);
    out.writeCharSequence(" HTTP/1.1\r\nhost: ", StandardCharsets.US_ASCII);
    out.writeCharSequence(authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host(),
        StandardCharsets.US_ASCII);
    out.writeBytes(CRLF);
    for (Map.Entry<String, String> field : fields) writeField(out, field.getKey(), field.getValue());
    if (body == Body.SOME) {
      if (contentLength >= 0) writeField(out, "content-length", Long.toString(contentLength));
      else writeField(out, "transfer-encoding", "chunked");
    } else if (contentLength == 0 || needsLength(request.method())) {
      writeField(out, "content-length", "0"); // as nginx sends it: IIS answers a bodiless POST without it 411
    }
    out.writeBytes(CRLF);
    return out;
  }

  private static boolean needsLength(HttpMethod method) {
    return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
  }

  // ---- the response side

  /**
   * Whether the final response whose head was just read is held back for a retry: the route retries its status.
   * Then the try is over for the balancer and the retry is scheduled; {@link FastPathUpstream} pauses the connection
   * with the response unread, for {@link #relayHeld} or {@link #closeUpstream}.
   */
  @Override
  public boolean holds(ResponseHeadParser head) {
    cancelTryTimer();
    if (done || !tries.retrying()) return false;
    long now = System.nanoTime();
    Outcome outcome = tries.hold(head.status(), bodyGone(), now);
    if (outcome == null) return false;
    mayResend = false;
    call.complete(now - tryStartNanos, outcome, LoadHint.parseHeader(head.header(LoadHint.HEADER)), ResponseFlag.NONE);
    scheduleRetry();
    return true;
  }

  /** The held response goes to the client after all: the balancer refused the retry. */
  @Override
  public void relayHeld() {
    upstreamHandler.relayHeld();
  }

  /** The per-try timeout passed before a response head. */
  private void tryTimedOut() {
    tryTimer = null;
    if (!done && status == 0 && !tries.holding()) tryFailed(ResponseFlag.UPSTREAM_TIMEOUT, "per-try timeout exceeded");
  }

  private void cancelTryTimer() {
    if (tryTimer != null) {
      tryTimer.cancel();
      tryTimer = null;
    }
  }

  /**
   * The try failed before its response head: the balancer learns it, and a retry follows if the route's policy
   * allows one, else the client gets the sidecar's answer.
   */
  private void tryFailed(ResponseFlag flag, String detail) {
    if (done) return;
    cancelTryTimer();
    long now = System.nanoTime();
    Outcome retried = status == 0 ? tries.retryAfterFailure(flag, bodyGone(), now) : null;
    if (retried == null) {
      fail(flag, detail);
      return;
    }
    call.complete(now - tryStartNanos, retried, LoadHint.NONE, flag);
    closeUpstream(true); // a streamed body's pieces not sent yet go with the next try
    scheduleRetry();
  }

  /** Part of a streamed body (not held for replay) went out with the try: it cannot be sent again. */
  private boolean bodyGone() {
    return body == Body.SOME && replayBody == null && requestWritten;
  }

  private void scheduleRetry() {
    LoopTimer.on(context, tries.retryAfter(call.address(), ThreadLocalRandom.current()), this::nextTry);
  }

  /**
   * A 1xx other than 101: a 103 (Early Hints, RFC 8297) goes to the client as {@link Exchange} relays it, without
   * connection-specific fields; other 1xx are the upstream connection's own matter (a 100 answered the request's
   * Expect, which HTTP/2 clients handle with the sidecar).
   */
  @Override
  public void interimHead(ResponseHeadParser head, ByteBuf buf) {
    mayResend = false; // a response byte came: the request was read
    if (done || head.status() != 103 || response.headWritten()) return;
    MultiMap hints = HttpHeaders.headers();
    head.forwardedFields(hints::add);
    response.writeEarlyHints(hints);
  }

  @Override
  public void responseHead(ResponseHeadParser head, ByteBuf buf, int inlineBody) {
    mayResend = false;
    if (done) return;
    headerNanos = System.nanoTime() - tryStartNanos;
    status = head.status();
    String load = head.header(LoadHint.HEADER);
    if (load != null) hint = LoadHint.parseHeader(load);
    response.setStatusCode(status);
    MultiMap headers = response.headers();
    head.forwardedFields(headers::add); // Via is not among them: it goes merged
    headers.set("via", UpstreamRequests.appended(head.via(),
        UpstreamRequests.viaEntry(head.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1)));
    UpstreamRequests.apply(route.responseHeaders(), headers);
    if (inlineBody > 0) responseBody(buf.retainedSlice(buf.readerIndex() + head.headLength(), inlineBody));
  }

  @Override
  public void responseBody(ByteBuf piece) {
    if (done) {
      piece.release();
      return;
    }
    // A copy on the heap, which the stream's writes release: Vert.x never releases a direct buffer it is given.
    ByteBuf copy = VertxByteBufAllocator.DEFAULT.heapBuffer(piece.readableBytes());
    copy.writeBytes(piece);
    piece.release();
    response.write(BufferInternal.buffer(copy));
    if (response.writeQueueFull() && upstream != null) {
      upstream.config().setAutoRead(false);
      Channel paused = upstream;
      response.drainHandler(v -> {
        if (paused.isActive()) paused.config().setAutoRead(true);
      });
    }
  }

  /** Trailer fields go on as the stream's trailing HEADERS, without connection-specific ones, as on the full path. */
  @Override
  public void responseTrailers(String section) {
    if (done) return;
    MultiMap fields = HttpHeaders.headers();
    for (String line : section.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) continue;
      fields.add(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).strip());
    }
    HopByHopHeaders.copyEndToEnd(fields, response.trailers());
  }

  @Override
  public void flushDownstream() {
    // A head whose body is still to come goes now: a client of a slow body (a stream of events) sees it at once.
    if (!done && status != 0 && !response.headWritten()) response.writeHead();
  }

  @Override
  public void responseEnd(Channel channel, boolean reusable) {
    if (!channel.config().isAutoRead()) channel.config().setAutoRead(true);
    if (reusable && bodySent) cluster.rawPool().release(channel);
    else channel.close();
    upstream = null;
    if (done) return;
    response.end();
    call.complete(headerNanos, Outcome.status(status), hint, ResponseFlag.NONE);
    finish(status, ResponseFlag.NONE);
  }

  /**
   * The upstream closed the connection before a byte of the response: an idempotent bodiless request that went out
   * on a kept-alive connection is sent again, once, on a new one (as {@link FastPathExchange} does); else 502 UR.
   */
  @Override
  public void closedBeforeResponse() {
    if (!done && mayResend) {
      upstream = null;
      resent = true;
      mayResend = false;
      runtime.metrics().upstreamResend(cluster.name());
      cluster.rawPool().acquireNew(downstream, call.address(), cluster.address(call.address()),
          cluster.spec().pool(), tries.currentWaiter(this));
      return;
    }
    upstreamFailed(ResponseFlag.UPSTREAM_RESET, "upstream closed the connection before a response");
  }

  @Override
  public void upstreamFailed(ResponseFlag flag, String detail) {
    upstream = null;
    tryFailed(flag, detail);
  }

  @Override
  public void failed(ResponseFlag flag, String detail) {
    tryFailed(flag, detail);
  }

  // ---- endings

  /** The client reset the stream or closed its connection. */
  private void downstreamClosed() {
    if (done) return;
    if (call != null) call.cancel();
    closeUpstream();
    finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
  }

  @Override
  public void fail(ResponseFlag flag, String detail) {
    if (done) return;
    if (call != null) {
      call.complete(System.nanoTime() - tryStartNanos, Outcome.failure(flag.failureKind()), LoadHint.NONE, flag);
    }
    closeUpstream();
    if (Exchange.discardUnsentHead(response, flag)) {
      Exchange.replyLocal(request, flag, detail);
      finish(flag.status(), flag);
    } else { // the head is gone: only resetting the stream tells the client the body is not whole
      if (!response.closed()) response.reset();
      finish(status, flag);
    }
  }

  private void closeUpstream() {
    closeUpstream(false);
  }

  /** {@code keepPendingBody}: the body pieces waiting for a connection stay, for the next try. */
  private void closeUpstream(boolean keepPendingBody) {
    if (!keepPendingBody) pendingBody = released(pendingBody);
    if (upstream != null) {
      upstreamHandler.detach();
      upstream.close();
      upstream = null;
    }
  }

  private void finish(int status, ResponseFlag flag) {
    if (done) return;
    done = true;
    // answered before the client's body ended (an upstream's early 413, the body limit): RST_STREAM NO_ERROR
    EarlyAnswerReset.ifRequestUnfinished(request);
    if (timer != null) timer.cancel();
    cancelTryTimer();
    replayBody = released(replayBody);
    long nanos = System.nanoTime() - startNanos;
    meters.finished(status, flag, nanos);
    signals.record(nanos, status, flag == ResponseFlag.NONE ? null : flag.code(), response.bytesWritten());
    AccessLog log = runtime.accessLog(); // the request is at hand, as on the full path
    if (log != null) {
      log.log(request, route.name(), cluster.name(), call == null ? null : call.address(), status, flag, nanos,
          response.bytesWritten());
    }
  }
}
