package io.sidecar.proxy;

import static io.sidecar.proxy.RawBuffers.CRLF;
import static io.sidecar.proxy.RawBuffers.released;
import static io.sidecar.proxy.RawBuffers.writeField;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.Pick;
import io.sidecar.config.HostPort;
import io.sidecar.config.RouteSpec;
import io.sidecar.proxy.http1.DroppedLines;
import io.sidecar.proxy.http1.RequestHeadParser;
import io.sidecar.proxy.http1.ResponseHeadParser;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request on the byte-level path: what {@link Exchange} does for a route without retries, hedging, cache,
 * faults or header rules, on bytes. The balancer picks the endpoint, the request head is forwarded with the
 * hop-by-hop fields dropped and the forwarding fields (X-Forwarded-For/-Proto/-Host, Via; RFC 9110 §7.6.3) merged
 * in, the body as slices of what the client sent (a chunked one checked and re-chunked, {@link ChunkedRequestBody});
 * the response head likewise, its body as slices of what the
 * upstream sent, with back-pressure both ways. The route timeout, the route meters, the traffic signals and the
 * balancer's outcome are recorded as on the full path, and the sidecar's own answers (503 UF, 504 UT, 502 UR…)
 * carry the same status, flag header and text.
 *
 * <p>Retries (a route's {@code retry}), as {@link Exchange} decides them (Envoy's
 * conditions, the balancer's {@link io.sidecar.balancer.retry.RetryPolicy}): a try that fails before its response
 * head, or whose head has a retriable status, is followed by another on an endpoint not tried yet after a fully
 * jittered backoff, within the route timeout, a per-try timeout and the cluster's retry limits. A retriable response
 * is held, its upstream connection paused, until the next try is picked; if the balancer refuses it, the held
 * response goes to the client after all, so it sees the real last answer. A request with a body on such a route
 * is read whole first, within the policy's replay buffer, and every try sends it; a larger or chunked one streams,
 * and only a connect failure (nothing of it sent) is retried: what the full path does.
 *
 * <p>Every way the exchange ends goes through {@link #finish} once; everything runs on the connection's loop.
 */
final class FastPathExchange implements RawUpstreamPool.Waiter, RawResponseSink, RawTries.Steps {
  private static final byte[] TRANSFER_ENCODING_CHUNKED =
      "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ProxyRuntime runtime;
  private final FastPathConnection connection;
  private final ChannelHandlerContext ctx;
  private final RouteSpec route;
  /** The route's header rules on bytes, or null: none. */
  private final HeaderRules requestRules;
  private final HeaderRules responseRules;
  /** The tries: one, or with the route's retry policy as many as it allows. */
  private final RawTries tries;
  private final String method;
  private final UpstreamCluster cluster;
  private final ProxyMetrics.RouteMeters meters;
  private final io.sidecar.predictor.signals.TrafficSignals signals;
  private final long startNanos;
  /** {@code server.max_request_body}, which a chunked body is held to as it comes. */
  private final long maxRequestBody;
  private final boolean headRequest;
  /**
   * The client speaks HTTP/1.0: it gets no 1xx, a chunked body decoded and ended by the close, and a kept-alive
   * connection says so ({@code Connection: keep-alive}, RFC 9112 §9.3); upstream the request goes as HTTP/1.1.
   */
  private final boolean http10Client;
  private final boolean clientWantsClose;
  /** Idempotent (RFC 9110 §9.2.2) and without a body: it may be sent again ({@link #closedBeforeResponse}). */
  private final boolean resendable;
  /**
   * The request head kept, with a reference of its own, while it went out on a reused connection and no response
   * byte has come back; null otherwise.
   */
  private ByteBuf sentHead;
  private boolean resent;
  /**
   * The client asked for a 100 before it sends the body (Expect: 100-continue, RFC 9110 §10.1.1). The sidecar answers
   * it once an upstream connection is ready for the body, as nginx and Envoy answer it themselves (the full path's
   * Vert.x server does at once), instead of leaving the client to wait out its own timeout (curl: 1 s) behind an
   * upstream that sends none.
   */
  private boolean continueDue;
  /** The request head as it goes upstream, built at once: the parser moves on to the next request. */
  private ByteBuf upstreamHead;
  /** With retries: the request head every try sends a duplicate of (released when the exchange ends). */
  private ByteBuf retryHead;
  private long bodyRemaining;
  /** A chunked request body, or null: the body is {@link #bodyRemaining} bytes long. */
  private final ChunkedRequestBody chunkedBody;
  /**
   * A retrying route's body that is not replayed (larger than the replay buffer, or chunked): it streams, and only a
   * try that failed before any of the request went out (a connect failure) is retried, with the body bytes read so
   * far, as on the full path.
   */
  private final boolean streamedBody;
  /** A try's request went out (its head at least). */
  private boolean requestWritten;
  private List<ByteBuf> pendingBody;
  /**
   * With retries, a request body read whole before the first try (it fits the replay buffer), which every try
   * sends a duplicate of; null without one. Released when the exchange ends.
   */
  private List<ByteBuf> replayBody;
  private EndpointCall call;
  private long tryStartNanos;
  private Channel upstream;
  /** The {@link FastPathUpstream} of {@link #upstream}. */
  private FastPathUpstream upstreamHandler;
  /** The upstream's status once its response head went downstream, else 0. */
  private int status;
  private boolean closeAfter;
  private long headerNanos;
  private LoadHint hint = LoadHint.NONE;
  private long bodyBytes;
  private boolean done;
  /** {@code server.access_log}, or null when it is off; then the three fields below stay null. */
  private final AccessLog accessLog;
  /** The request's x-request-id as it went upstream (the client's, or the one generated here), for the access log. */
  private String requestId;
  /** The raw path without the query, for the access log. */
  private final String path;

  FastPathExchange(ProxyRuntime runtime, FastPathConnection connection, RoutingSnapshot.CompiledRoute route,
                   RoutingSnapshot.SplitTarget target, RequestHeadParser head, ByteBuf buf, long startNanos,
                   long maxRequestBody) {
    this.runtime = runtime;
    this.connection = connection;
    this.ctx = connection.context();
    this.route = route.spec();
    this.requestRules = route.requestRules();
    this.responseRules = route.responseRules();
    this.cluster = target.cluster();
    this.meters = target.meters();
    this.signals = route.signals();
    this.startNanos = startNanos;
    this.maxRequestBody = maxRequestBody;
    String method = head.method();
    this.method = method;
    this.tries = RawTries.of(route, method, startNanos);
    this.headRequest = "HEAD".equals(method);
    this.http10Client = head.http10();
    this.clientWantsClose = !head.persistent();
    this.bodyRemaining = head.contentLength();
    this.chunkedBody = head.chunked() ? new ChunkedRequestBody(maxRequestBody) : null;
    this.streamedBody = tries.retrying() && head.hasBody() && (head.chunked() || !tries.replays(head.contentLength()));
    this.resendable = UpstreamResend.resendable(method, head.hasBody());
    this.continueDue = head.expectsContinue() && head.hasBody();
    this.accessLog = runtime.accessLog();
    this.path = accessLog == null ? null : head.path();
    if (accessLog != null) requestId = head.header(RequestIds.HEADER);
    this.upstreamHead = upstreamHead(head, buf);
    if (tries.retrying()) {
      retryHead = upstreamHead;
      upstreamHead = retryHead.retainedDuplicate();
    }
  }

  /** Whether bytes of the request body are still to come from the client. */
  boolean requestBodyPending() {
    return chunkedBody != null ? chunkedBody.pending() : bodyRemaining > 0;
  }

  /**
   * Takes what belongs to the request body from the client's bytes at {@code buf}'s reader index, and moves the index
   * past it. A chunked body that breaks its framing is answered 400 (DPE), one whose sizes pass
   * {@code server.max_request_body} 413 (RBL), as on the full path, and the upstream request is cut short.
   */
  void readRequestBody(ByteBuf buf) {
    takeRequestBody(buf);
    if (done) return;
    if (upstream != null) {
      upstream.flush();
      if (!upstream.isWritable()) connection.requestBodyBackPressure(true);
    } else if (pendingBody != null) {
      connection.requestBodyBackPressure(true); // until connected: no more than what is held
    }
  }

  /** {@link #readRequestBody} without the flush and the back-pressure that follow it. */
  private void takeRequestBody(ByteBuf buf) {
    if (chunkedBody == null) {
      ByteBuf slice = buf.readRetainedSlice((int) Math.min(bodyRemaining, buf.readableBytes()));
      bodyRemaining -= slice.readableBytes();
      sendBody(slice);
    } else {
      switch (chunkedBody.read(buf, ctx.alloc(), this::sendBody)) {
        case MALFORMED -> fail(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, "malformed request body (bad chunked framing)");
        case TOO_LARGE -> fail(ResponseFlag.REQUEST_BODY_TOO_LARGE, "request body exceeds " + maxRequestBody + " bytes");
        default -> { }
      }
    }
  }

  /**
   * Starts the exchange; {@code buf} holds what the client sent after the head. Body bytes that came with the head
   * are taken first, so that they go upstream in one write with the head and the upstream reads the whole request
   * at once (a small POST is then one system call each way, as from nginx, which buffers the body).
   */
  void start(ByteBuf buf) {
    meters.started();
    signals.begin();
    connection.routeTimeout(startNanos, route.timeout().toNanos());
    boolean bodyFirst = tries.retrying() && !streamedBody && bodyRemaining > 0;
    if (bodyFirst) { // the body first, for every try to send (sendBody starts the first once it is whole)
      replayBody = new ArrayList<>(4);
      sendContinueIfDue(); // the client waits for it before it sends the body, which comes before any connection
    }
    // taken without pausing the client's reads (they are read already): a pause while a pooled connection is handed
    // over would cost two epoll_ctl calls per request
    if (requestBodyPending() && buf.isReadable()) takeRequestBody(buf);
    if (!bodyFirst) nextTry();
  }

  /** Picks an endpoint and asks the pool for a connection to it: the first try, or a retry after its backoff. */
  private void nextTry() {
    if (!done) tries.next(this, cluster.balancer(), System.nanoTime());
  }

  @Override
  public void dropHeld() { // paused mid-response, its connection cannot be reused
    closeUpstream();
  }

  @Override
  public void startTry(Pick pick, long tryTimeout, boolean ownDeadline) {
    if (tries.retries() > 0) upstreamHead = retryHead.retainedDuplicate();
    call = new EndpointCall(pick.handle(), cluster.signals());
    tryStartNanos = System.nanoTime();
    if (ownDeadline) connection.tryTimeout(tryStartNanos, tryTimeout);
    HostPort endpoint = cluster.address(call.address());
    cluster.rawPool().acquire(ctx.channel(), call.address(), endpoint, cluster.spec().pool(),
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
    sendContinueIfDue();
    upstreamHandler.attach(this, headRequest, http10Client, responseRules == null ? null : responseRules.names());
    if (resendable && !resent && upstreamHandler.reused()) sentHead = upstreamHead.retain();
    channel.write(upstreamHead, channel.voidPromise());
    upstreamHead = null;
    requestWritten = true;
    if (replayBody != null) replayBody.forEach(b -> channel.write(b.retainedDuplicate(), channel.voidPromise()));
    if (pendingBody != null) {
      pendingBody.forEach(b -> channel.write(b, channel.voidPromise()));
      pendingBody = null;
      connection.requestBodyBackPressure(!channel.isWritable());
    }
    channel.flush();
  }

  @Override
  public boolean cancelled() {
    return done;
  }

  /** Answers the client's {@code Expect: 100-continue}, once. */
  private void sendContinueIfDue() {
    if (!continueDue) return;
    continueDue = false;
    ctx.writeAndFlush(ctx.alloc().buffer(CONTINUE.length).writeBytes(CONTINUE), ctx.voidPromise());
  }

  /**
   * Bytes of the request body for the upstream: written without a flush ({@link #readRequestBody} flushes), held
   * until a connection is there, or kept for replay.
   */
  private void sendBody(ByteBuf piece) {
    if (done) {
      piece.release();
      return;
    }
    if (replayBody != null && call == null) { // still reading the body to replay
      replayBody.add(piece);
      if (bodyRemaining == 0) nextTry();
      return;
    }
    if (upstream == null) {
      if (pendingBody == null) pendingBody = new ArrayList<>(4);
      pendingBody.add(piece);
      return;
    }
    upstream.write(piece, upstream.voidPromise());
  }

  @Override
  public void upstreamWritable(boolean writable) {
    if (requestBodyPending()) connection.requestBodyBackPressure(!writable);
  }

  // ---- the response side

  /**
   * Whether the final response whose head was just read is held back for a retry: the route retries its status
   * ({@link RawTries#hold}). Then the try is over for the balancer and the retry is scheduled; the caller pauses the
   * connection with the response unread, for {@link #relayHeld} or {@link #closeUpstream}.
   */
  @Override
  public boolean holds(ResponseHeadParser head) {
    connection.tryTimeoutOver();
    if (done || !tries.retrying()) return false;
    long now = System.nanoTime();
    Outcome outcome = tries.hold(head.status(), bodyGone(), now);
    if (outcome == null) return false;
    dropSentHead();
    call.complete(now - tryStartNanos, outcome, LoadHint.parseHeader(head.header(LoadHint.HEADER)), ResponseFlag.NONE);
    scheduleRetry();
    return true;
  }

  /** The held response goes to the client after all: the balancer refused the retry. */
  @Override
  public void relayHeld() {
    upstreamHandler.relayHeld();
  }

  /** The per-try timeout passed before a response head ({@link FastPathConnection#tryTimeout}). */
  void tryTimedOut() {
    if (!done && status == 0 && !tries.holding()) tryFailed(ResponseFlag.UPSTREAM_TIMEOUT, "per-try timeout exceeded");
  }

  /**
   * The try failed before its response head: the balancer learns it, and a retry follows if the route's policy
   * allows one ({@link RawTries#retryAfterFailure}), else the client gets the sidecar's answer.
   */
  private void tryFailed(ResponseFlag flag, String detail) {
    if (done) return;
    connection.tryTimeoutOver();
    long now = System.nanoTime();
    Outcome retried = status == 0 ? tries.retryAfterFailure(flag, bodyGone(), now) : null;
    if (retried == null) {
      fail(flag, detail);
      return;
    }
    call.complete(now - tryStartNanos, retried, LoadHint.NONE, flag);
    closeUpstream(streamedBody); // a streamed body's bytes read so far go with the next try
    scheduleRetry();
  }

  /** Part of a streamed body went out with the try: it cannot be sent again, so the try is not retried. */
  private boolean bodyGone() {
    return streamedBody && requestWritten;
  }

  /** The next try starts after the backoff. */
  private void scheduleRetry() {
    long backoffMillis = tries.retryAfter(call.address(), ThreadLocalRandom.current());
    ctx.executor().schedule(this::nextTry, backoffMillis, TimeUnit.MILLISECONDS);
  }

  /** A 1xx other than 101: forwarded (RFC 9110 §15.2), without its hop-by-hop fields; not to an HTTP/1.0 client. */
  @Override
  public void interimHead(ResponseHeadParser head, ByteBuf buf) {
    dropSentHead();
    if (http10Client) return; // RFC 9110 §15.2: a server must not send a 1xx to an HTTP/1.0 client
    ByteBuf out = ctx.alloc().buffer(head.headLength());
    copyWithout(buf, 0, head.headLength(), head, head.bareLineEnds(), out);
    ctx.write(out, ctx.voidPromise());
  }

  /**
   * The response head at buf's reader index goes downstream; so do the {@code inlineBody} bytes of body right after
   * it, in the same buffer ({@link FastPathUpstream#INLINE_BODY_MAX}).
   */
  @Override
  public void responseHead(ResponseHeadParser head, ByteBuf buf, int inlineBody) {
    dropSentHead();
    headerNanos = System.nanoTime() - tryStartNanos;
    status = head.status();
    String load = head.header(LoadHint.HEADER);
    if (load != null) hint = LoadHint.parseHeader(load);
    boolean bodyless = headRequest || status == 204 || status == 304;
    // A body that only the connection's close ends cannot be kept-alive downstream either; nor can a chunked one
    // going to an HTTP/1.0 client, which gets it decoded and so without a length (FastPathUpstream).
    boolean endsWithClose = head.closeDelimited() || (http10Client && head.chunked());
    closeAfter = clientWantsClose || (!bodyless && endsWithClose) || connection.draining();
    ByteBuf out = ctx.alloc().buffer(head.headLength() + 64 + inlineBody);
    int statusLine = out.writerIndex();
    copyWithout(buf, 0, head.headLength() - blankLineLength(buf, head.headLength()), head, head.bareLineEnds(), out);
    if (responseRules != null) responseRules.writeSetFields(out);
    // An intermediary sends its own HTTP version (RFC 9110 §2.5), as the full path and nginx do: "HTTP/1.0 200"
    // from an old upstream goes out as "HTTP/1.1 200" (its minor digit, at 7); Via keeps "1.0 sidecar"
    if (head.http10()) out.setByte(statusLine + 7, '1');
    writeField(out, "via", UpstreamRequests.appended(head.via(),
        UpstreamRequests.viaEntry(head.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1)));
    writeConnection(out, closeAfter);
    out.writeBytes(CRLF);
    if (inlineBody > 0) {
      out.writeBytes(buf, buf.readerIndex() + head.headLength(), inlineBody);
      bodyBytes += inlineBody;
    }
    ctx.write(out, ctx.voidPromise());
  }

  @Override
  public void responseBody(ByteBuf slice) {
    bodyBytes += slice.readableBytes();
    ctx.write(slice, ctx.voidPromise());
    if (!ctx.channel().isWritable() && upstream != null) upstream.config().setAutoRead(false);
  }

  @Override
  public void chunkedBodyLength(long dataBytes) {
    bodyBytes = dataBytes; // relayed chunked, the pieces counted the framing too
  }

  void downstreamWritable(boolean writable) {
    if (upstream != null && !done) upstream.config().setAutoRead(writable);
  }

  @Override
  public void flushDownstream() {
    ctx.flush();
  }

  /** The whole response went downstream; {@code reusable}: the upstream connection may serve another request. */
  @Override
  public void responseEnd(Channel channel, boolean reusable) {
    ctx.flush();
    if (!channel.config().isAutoRead()) channel.config().setAutoRead(true);
    boolean requestSent = !requestBodyPending();
    if (reusable && requestSent) cluster.rawPool().release(channel);
    else channel.close();
    upstream = null;
    if (!requestSent) closeAfter = true; // the rest of the request body is still on its way: no next request
    call.complete(headerNanos, Outcome.status(status), hint, ResponseFlag.NONE);
    finish(status, ResponseFlag.NONE);
  }

  /**
   * The upstream closed the connection before a byte of the response came. On a reused connection that is most
   * often the upstream closing it as idle while the request was on its way (Node closes after 5 s, Apache and
   * gunicorn sooner), so a request that can be sent again is, once, on a new connection to the same endpoint (RFC
   * 9112 §9.3.1 lets a client retry an idempotent request; nginx does it for its keep-alive connections, Go's and
   * hyper's clients too). The balancer sees one call. Anything else is 502 UR.
   */
  @Override
  public void closedBeforeResponse() {
    if (!done && sentHead != null) {
      upstream = null;
      resent = true;
      runtime.metrics().upstreamResend(cluster.name());
      upstreamHead = sentHead.readerIndex(0); // a write cut short moved the index; the head starts at 0
      sentHead = null;
      cluster.rawPool().acquireNew(ctx.channel(), call.address(), cluster.address(call.address()), cluster.spec().pool(),
          tries.currentWaiter(this));
      return;
    }
    upstreamFailed(ResponseFlag.UPSTREAM_RESET, "upstream closed the connection before a response");
  }

  /** A response byte came: the request was read, and will not be sent again. */
  private void dropSentHead() {
    sentHead = released(sentHead);
  }

  /** The upstream connection failed or sent what is not HTTP; it is closed already. */
  @Override
  public void upstreamFailed(ResponseFlag flag, String detail) {
    upstream = null;
    tryFailed(flag, detail);
  }

  @Override
  public void failed(ResponseFlag flag, String detail) {
    tryFailed(flag, detail);
  }

  /** The route timeout passed ({@link FastPathConnection#routeTimeout}). */
  void timedOut() {
    if (done) return;
    fail(ResponseFlag.UPSTREAM_TIMEOUT, "route timeout " + route.timeout().toMillis() + "ms exceeded");
  }

  /** The client went away. */
  void downstreamClosed() {
    if (done) return;
    if (call != null) call.cancel();
    closeUpstream();
    finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
  }

  @Override
  public void fail(ResponseFlag flag, String detail) {
    if (call != null) {
      call.complete(System.nanoTime() - tryStartNanos, Outcome.failure(flag.failureKind()), LoadHint.NONE, flag);
    }
    closeUpstream();
    if (status != 0) {
      // The head is gone already: the only honest signal left is to break the connection.
      closeAfter = true;
      finish(status, flag);
      return;
    }
    // Bytes of this request still on their way would be read as the next request: close after the answer.
    closeAfter = clientWantsClose || requestBodyPending() || flag.closesConnection() || connection.draining();
    ctx.writeAndFlush(localReply(flag, detail, closeAfter), ctx.voidPromise());
    finish(flag.status(), flag);
  }

  private void closeUpstream() {
    closeUpstream(false);
  }

  /** {@code keepPendingBody}: the body bytes waiting for a connection stay, for the next try. */
  private void closeUpstream(boolean keepPendingBody) {
    upstreamHead = released(upstreamHead);
    if (!keepPendingBody) pendingBody = released(pendingBody);
    if (upstream != null) {
      upstreamHandler.detach();
      upstream.close();
      upstream = null;
      upstreamHandler = null;
    }
  }

  private void finish(int status, ResponseFlag flag) {
    if (done) return;
    done = true;
    dropSentHead();
    retryHead = released(retryHead);
    replayBody = released(replayBody);
    long nanos = System.nanoTime() - startNanos;
    meters.finished(status, flag, nanos);
    signals.record(nanos, status, flag == ResponseFlag.NONE ? null : flag.code(), bodyBytes);
    if (accessLog != null) {
      accessLog.log(requestId, method, path, route.name(), cluster.name(), call == null ? null : call.address(), status,
          flag, nanos, bodyBytes, connection.clientAddress());
    }
    connection.exchangeDone(closeAfter);
  }

  // ---- heads

  /**
   * The request head for the upstream: the client's head without its hop-by-hop and forwarding fields and its
   * blank line, the route's path rewrite applied to the request line, then the merged forwarding fields.
   */
  private ByteBuf upstreamHead(RequestHeadParser head, ByteBuf buf) {
    int base = buf.readerIndex();
    ByteBuf out = ctx.alloc().buffer(head.headLength() + 128);
    int from = 0;
    if (route.rewritePrefix() != null) {
      String target = buf.toString(base + head.targetStart(), head.targetEnd() - head.targetStart(), StandardCharsets.US_ASCII);
      String rewritten = UpstreamRequests.rewriteUri(target, route);
      out.writeBytes(buf, base, head.targetStart());
      out.writeCharSequence(rewritten, StandardCharsets.US_ASCII);
      from = head.targetEnd();
    }
    // the blank line's CRLF goes after the added fields
    DroppedLines dropped = requestRules == null ? head : head.droppedWith(requestRules.names());
    if (requestRules != null && requestRules.rewritesHost()) { // the route's Host first, as the client's stood
      copyWithout(buf, from, head.fieldsStart(), dropped, false, out);
      requestRules.writeHostLine(out);
      from = head.fieldsStart();
    }
    copyWithout(buf, from, head.headLength() - 2, dropped, false, out);
    if (http10Client) { // upstream it goes as HTTP/1.1, as from the full path: the last digit before the line's CR
      out.setByte(out.indexOf(out.readerIndex(), out.writerIndex(), (byte) '\r') - 1, '1');
    }
    String client = connection.clientAddress();
    String forwardedFor = client == null ? head.forwardedFor() : UpstreamRequests.appended(head.forwardedFor(), client);
    if (forwardedFor != null) writeField(out, "x-forwarded-for", forwardedFor);
    writeField(out, "x-forwarded-proto", connection.scheme());
    if (!head.hasForwardedHost()) {
      out.writeCharSequence("x-forwarded-host: ", StandardCharsets.US_ASCII);
      head.writeAuthority(out);
      out.writeBytes(CRLF);
    }
    writeField(out, "via", UpstreamRequests.appended(head.via(),
        UpstreamRequests.viaEntry(http10Client ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1)));
    if (!head.hasRequestId() && connection.generatesRequestIds()) {
      if (accessLog == null) {
        RequestIds.writeRandomField(out);
      } else { // the log names the id the upstream got
        requestId = RequestIds.random();
        writeField(out, RequestIds.HEADER, requestId);
      }
    }
    if (requestRules != null) requestRules.writeSetFields(out);
    if (head.chunked()) out.writeBytes(TRANSFER_ENCODING_CHUNKED); // the client's line was dropped: its value may vary
    out.writeBytes(CRLF);
    return out;
  }

  /**
   * Copies the head's bytes {@code [from, length)} (offsets from the reader index) into {@code out}, skipping the
   * given lines (ascending; those before {@code from} are none of the request line's). {@code crlf}: the head has
   * lines ended by a bare LF, which go out ended by CRLF, as nginx and HAProxy, which rebuild every head, send them.
   */
  private static void copyWithout(ByteBuf buf, int from, int length, DroppedLines dropped, boolean crlf, ByteBuf out) {
    int base = buf.readerIndex();
    for (int i = 0, lines = dropped.droppedLines(); i < lines; i++) {
      int s = dropped.droppedLineStart(i);
      if (s >= length) break;
      copyLines(buf, base + from, base + s, crlf, out);
      from = dropped.droppedLineEnd(i);
    }
    if (from < length) copyLines(buf, base + from, base + length, crlf, out);
  }

  /** Copies whole lines {@code [from, to)} of {@code buf}; {@code crlf}: each bare LF goes out as CRLF. */
  private static void copyLines(ByteBuf buf, int from, int to, boolean crlf, ByteBuf out) {
    if (!crlf) {
      out.writeBytes(buf, from, to - from);
      return;
    }
    int lineStart = from;
    while (lineStart < to) {
      int lf = buf.indexOf(lineStart, to, (byte) '\n');
      if (lf < 0) {
        out.writeBytes(buf, lineStart, to - lineStart);
        return;
      }
      int end = lf > lineStart && buf.getByte(lf - 1) == '\r' ? lf - 1 : lf;
      out.writeBytes(buf, lineStart, end - lineStart).writeBytes(CRLF);
      lineStart = lf + 1;
    }
  }

  /** 2 for a head ending in CRLF CRLF, 1 when the upstream ended it with a bare LF. */
  private static int blankLineLength(ByteBuf buf, int headLength) {
    return headLength >= 2 && buf.getByte(buf.readerIndex() + headLength - 2) == '\r' ? 2 : 1;
  }

  /** The sidecar's own answer, as {@link Exchange#replyLocal} writes it on the full path; its body is counted. */
  private ByteBuf localReply(ResponseFlag flag, String detail, boolean close) {
    byte[] body = Exchange.localReplyText(flag, detail).getBytes(StandardCharsets.UTF_8);
    bodyBytes += body.length;
    ByteBuf out = ctx.alloc().buffer(160 + body.length);
    io.netty.handler.codec.http.HttpResponseStatus s = io.netty.handler.codec.http.HttpResponseStatus.valueOf(flag.status());
    out.writeCharSequence("HTTP/1.1 " + s.code() + " " + s.reasonPhrase() + "\r\n", StandardCharsets.US_ASCII);
    writeField(out, ResponseFlag.HEADER, flag.code());
    writeField(out, "content-type", "text/plain; charset=utf-8");
    writeField(out, "content-length", Integer.toString(body.length));
    writeConnection(out, close);
    out.writeBytes(CRLF).writeBytes(body);
    return out;
  }

  private void writeConnection(ByteBuf out, boolean close) {
    byte[] line = FastPathCacheHit.connectionLine(close, http10Client);
    if (line != null) out.writeBytes(line);
  }
}
