package io.sidecar.proxy;

import io.sidecar.balancer.CallKind;
import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.Pick;
import io.sidecar.balancer.retry.RetryPolicy;
import io.sidecar.config.HostPort;
import io.sidecar.config.RouteSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One proxied request: picks an endpoint through the cluster's balancer, streams the request body upstream and
 * the response body back, both with back-pressure (nothing aggregated), and retries when the route allows it.
 *
 * <p>Retries (Envoy's router semantics, decided by the balancer module's {@link RetryPolicy}): a retriable failure or
 * status leads to a new try on an endpoint not tried yet, after a fully jittered backoff, within the route's total
 * timeout and the cluster's retry budget. A request body is replayed only from a bounded buffer: bodies up to the
 * route's {@code max_buffered_body} with a known length are read first; a larger body streams and then only a
 * connect failure (the body was never read) is retried. A retriable response is held paused during the backoff and
 * relayed after all if the retry is refused, so the client sees the real last answer.
 *
 * <p>Every way the exchange can end goes through {@link #finish} exactly once. All callbacks run on the request's
 * event loop; a callback from a try that is no longer current is ignored.
 */
final class Exchange {
  private final ProxyRuntime runtime;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final RouteSpec route;
  private final UpstreamCluster cluster;
  private final ClusterBalancer balancer;
  private final RetryPolicy retry;
  private final ProxyMetrics.RouteMeters meters;
  private final io.sidecar.predictor.signals.TrafficSignals signals;
  private final boolean servingSide;
  private final long maxRequestBody;
  private final long startNanos;
  private final long routeTimeoutNanos;
  private final Set<String> tried = new HashSet<>(4);
  private Buffer replayBody;
  /** An HTTP/2 request body's first chunk, read to learn that there is a body ({@link #awaitFirstBodyEvent}). */
  private Buffer firstChunk;
  private boolean bodyStreamed;
  private int retries;
  /** Requests sent again after a kept-alive connection closed under them ({@link #mayResend}). */
  private int resends;
  /** Tries in flight: one, or two while a hedge races the first. */
  private final java.util.ArrayList<Try> active = new java.util.ArrayList<>(2);
  private LoopTimer hedgeTimer;
  private String lastAddress;
  private HeldResponse held;
  private LoopTimer totalTimer;
  private boolean done;

  /** One attempt at one endpoint. */
  private static final class Try extends EndpointCall {
    final long startNanos;
    HttpClientRequest upstream;
    LoopTimer timer;
    /** The request of this try went out on a connection that had served a response before. */
    boolean keptAlive;

    Try(io.sidecar.balancer.CallHandle handle, UpstreamSignals signals, long startNanos) {
      super(handle, signals);
      this.startNanos = startNanos;
    }
  }

  /** A retriable response kept paused while the retry is decided. */
  private record HeldResponse(HttpClientResponse response, long headerNanos) {}

  Exchange(ProxyRuntime runtime, HttpServerRequest request, RoutingSnapshot.CompiledRoute route,
           UpstreamCluster cluster, ProxyMetrics.RouteMeters meters, long maxRequestBody, long startNanos) {
    this.runtime = runtime;
    this.request = request;
    this.response = request.response();
    this.route = route.spec();
    this.retry = route.retry();
    this.cluster = cluster;
    this.balancer = cluster.balancer();
    this.meters = meters;
    this.signals = route.signals();
    this.servingSide = route.servingSide();
    this.maxRequestBody = maxRequestBody;
    this.startNanos = startNanos;
    // No route timeout: the retry policy and the balancer read 0 as "none"; the arithmetic below needs a horizon.
    this.routeTimeoutNanos = this.route.hasTimeout() ? this.route.timeout().toNanos() : Long.MAX_VALUE / 2;
  }

  /** An injected "upstream unavailable" fault makes the first try fail as a connect failure (retries see it). */
  private boolean injectedUnavailable;
  /** Response-side faults (first-byte delay, bandwidth, slicer, truncation, slow close, patch), or null. */
  private io.sidecar.fault.FaultDecision faults;
  private static final io.sidecar.fault.SeededRandom SHAPING_RANDOM = io.sidecar.fault.SeededRandom.unseeded();
  /** Largest upstream body a body-patch fault buffers; larger bodies pass unpatched. */
  static final long MAX_PATCHED_BODY = 1024 * 1024;

  void start(boolean injectedUnavailable) {
    start(injectedUnavailable, null);
  }

  void start(boolean injectedUnavailable, io.sidecar.fault.FaultDecision faults) {
    this.injectedUnavailable = injectedUnavailable;
    this.faults = faults;
    meters.started();
    signals.begin();
    request.pause();
    // Until the body is piped upstream (after the connect), this hears the decoder reject a body sent with the head.
    request.exceptionHandler(this::downstreamFailed);
    if (route.hasTimeout()) {
      totalTimer = LoopTimer.start(runtime.vertx(), route.timeout().toMillis(), () -> {
        totalTimer = null;
        fail(ResponseFlag.UPSTREAM_TIMEOUT, "route timeout " + route.timeout().toMillis() + "ms exceeded");
      });
    }
    // HTTP/2 closes the stream, and calls this, after every response too, often before the code that ended it has
    // recorded the outcome: only a response that never ended is the client going away (499).
    response.closeHandler(v -> {
      if (!done && !response.ended()) {
        List<Try> abandoned = takeActive();
        abandoned.forEach(t -> t.cancel());
        finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
        abandoned.forEach(t -> { if (t.upstream != null) t.upstream.reset(); });
      }
    });
    if (retry != null && hasBody() && knownLength() >= 0 && retry.canReplayBody(knownLength())) {
      request.body().onComplete(ar -> {
        if (done) return;
        if (ar.failed()) {
          downstreamFailed(ar.cause());
          finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
          return;
        }
        replayBody = ar.result();
        nextTry();
      });
      request.resume();
    } else {
      nextTry();
    }
  }

  private long knownLength() {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) return -1;
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void nextTry() {
    if (done) return;
    long elapsed = System.nanoTime() - startNanos;
    long tryTimeout = retry != null ? retry.tryTimeoutNanos(routeTimeoutNanos, elapsed) : routeTimeoutNanos - elapsed;
    Pick pick = balancer.pick(tried, retries == 0 ? CallKind.FIRST : CallKind.RETRY, Math.max(1, tryTimeout));
    if (!pick.isAccepted()) {
      if (held != null) {
        relay(held.response(), held.headerNanos(), null);
      } else {
        ResponseFlag flag = ResponseFlag.of(pick.refusal());
        fail(flag, refusalDetail(cluster.name(), pick.refusal()));
      }
      return;
    }
    if (held != null) {
      held.response().handler(null).resume();
      held = null;
    }
    Try t = new Try(pick.handle(), cluster.signals(), System.nanoTime());
    launch(t, tryTimeout, routeTimeoutNanos - elapsed);
    scheduleHedge(t);
  }

  /** Starts one try: per-try timer, connection, request. */
  private void launch(Try t, long tryTimeout, long remaining) {
    active.add(t);
    lastAddress = t.address();
    tried.add(lastAddress);
    if (retry != null && tryTimeout < remaining) {
      t.timer = LoopTimer.start(runtime.vertx(), tryTimeout / 1_000_000, () -> {
        t.timer = null;
        tryFailed(t, ResponseFlag.UPSTREAM_TIMEOUT, "per-try timeout exceeded");
      });
    }
    HostPort address = cluster.address(t.address());
    if (injectedUnavailable) {
      injectedUnavailable = false;
      runtime.vertx().runOnContext(v -> tryFailed(t, ResponseFlag.UPSTREAM_CONNECT_FAILURE, "fault injected: upstream unavailable"));
      return;
    }
    request(t, address);
  }

  /** Asks the cluster's client for a connection for try {@code t} and sends the request on it. */
  private void request(Try t, HostPort address) {
    cluster.client().request(UpstreamRequests.options(request, route, address, cluster.tlsServerName(), RequestPaths.on(runtime))).onComplete(ar -> {
      if (!active.contains(t) || done) {
        // A connection that came after the exchange ended (an HTTP/2 client's RST_STREAM while the pool was
        // full, a timeout): the request is dropped unsent. Without a handler Vert.x logs its own reset at SEVERE.
        if (ar.succeeded()) ar.result().exceptionHandler(ignored -> { }).reset();
        return;
      }
      if (ar.failed()) {
        tryFailed(t, FailureClassifier.classify(ar.cause(), false), ar.cause().getMessage());
        return;
      }
      send(t, ar.result(), address);
    });
  }

  /**
   * Hedging ("The Tail at Scale"; delay and budget from the balancer's hedge policy): when the first try has not
   * answered after the delay, a second try races it on another endpoint. Only when the body can be sent twice.
   */
  private void scheduleHedge(Try first) {
    // an HTTP/2 request whose end is not delivered yet may turn out bodiless: the timer looks again
    if (bodyStreamed || (replayBody == null && hasBody() && !bodyUndecided())) return;
    var delay = balancer.hedgeDelayNanos(first.handle(), request.method().name(),
        route.retry() != null && route.retry().nonIdempotent());
    if (delay.isEmpty()) return;
    hedgeTimer = LoopTimer.start(runtime.vertx(), delay.getAsLong() / 1_000_000, () -> {
      hedgeTimer = null;
      if (done || active.size() != 1 || held != null || bodyStreamed || (replayBody == null && hasBody())) return;
      long elapsed = System.nanoTime() - startNanos;
      long tryTimeout = retry != null ? retry.tryTimeoutNanos(routeTimeoutNanos, elapsed) : routeTimeoutNanos - elapsed;
      if (tryTimeout <= 0) return;
      Pick hedge = balancer.pick(tried, CallKind.HEDGE, tryTimeout);
      if (hedge.isAccepted()) {
        launch(new Try(hedge.handle(), cluster.signals(), System.nanoTime()), tryTimeout, routeTimeoutNanos - elapsed);
      }
    });
  }

  private void cancelHedge() {
    if (hedgeTimer != null) {
      hedgeTimer.cancel();
      hedgeTimer = null;
    }
  }

  /** Removes and returns every try in flight, timers cancelled. */
  private List<Try> takeActive() {
    cancelHedge();
    List<Try> tries = new java.util.ArrayList<>(active);
    active.clear();
    tries.forEach(t -> { if (t.timer != null) t.timer.cancel(); });
    return tries;
  }

  private void send(Try t, HttpClientRequest creq, HostPort address) {
    t.upstream = creq;
    t.keptAlive = ResponseOverrunGuard.servedBefore(creq.connection());
    // Failures reach the exchange through the response future; without a handler Vert.x also logs, at SEVERE,
    // every reset the exchange makes itself (timeouts, hedge losers, clients gone).
    creq.exceptionHandler(ignored -> { });
    creq.authority(UpstreamRequests.authority(request, route, address));
    UpstreamRequests.writeHeaders(request.headers(), UpstreamRequests.Forwarding.of(request), route, creq.headers());
    UpstreamRequests.forwardTeTrailers(request.headers(), creq.version(), creq.headers());
    creq.earlyHintsHandler(hints -> relayEarlyHints(t, hints));
    creq.response().onComplete(ar -> {
      if (!active.contains(t) || done) return;
      if (ar.succeeded()) onResponse(t, ar.result());
      else if (mayResend(t, ar.cause())) resend(t, address);
      else tryFailed(t, FailureClassifier.classify(ar.cause(), true), ar.cause().getMessage());
    });
    if (replayBody != null) {
      creq.end(replayBody);
      return;
    }
    if (!hasBody()) {
      endWithoutBody(creq);
      request.resume();
      return;
    }
    if (firstChunk == null && bodyUndecided()) {
      awaitFirstBodyEvent(t, creq);
      return;
    }
    streamBody(creq);
  }

  /**
   * HTTP/2 without Content-Length and not ended as far as Vert.x has delivered: whether a body follows is not known
   * yet. HTTP/2 tells it only by END_STREAM, which Vert.x delivers after the request handler (and the exchange keeps
   * the request paused until its upstream request is ready).
   */
  private boolean bodyUndecided() {
    return request.version() == HttpVersion.HTTP_2 && !request.isEnded()
        && request.getHeader(HttpHeaders.CONTENT_LENGTH) == null;
  }

  /**
   * The first of the request's end and its first DATA decides how the upstream request is framed: a request the
   * client ended with its HEADERS (a GET) goes without a body, as nginx and Envoy send it; before, every HTTP/2
   * request without Content-Length went to an HTTP/1.1 upstream with {@code transfer-encoding: chunked} and an empty
   * body, which servers that refuse a GET with a body answered 400.
   */
  private void awaitFirstBodyEvent(Try t, HttpClientRequest creq) {
    request.endHandler(v -> {
      request.handler(null);
      request.endHandler(null);
      if (active.contains(t) && !done) endWithoutBody(creq);
    });
    request.handler(first -> {
      if (first.length() == 0) return; // an empty DATA frame says nothing yet (some clients end a stream with one)
      request.pause(); // what follows stays queued until the body's pipe resumes the request
      request.handler(null);
      request.endHandler(null);
      firstChunk = first; // kept for the next try if this one is over
      if (active.contains(t) && !done) streamBody(creq);
    });
    request.resume();
  }

  /**
   * Ends an upstream request that has no body. An HTTP/2 request's framing is the sidecar's to write: a POST, PUT or
   * PATCH without a body goes to an HTTP/1.1 upstream with {@code content-length: 0} (RFC 9110 §8.6; servers such as
   * IIS answer 411 without it), as nginx sends it.
   */
  private void endWithoutBody(HttpClientRequest creq) {
    HttpMethod method = request.method();
    if (request.version() == HttpVersion.HTTP_2 && creq.version() != HttpVersion.HTTP_2
        && (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH)
        && !creq.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      creq.putHeader(HttpHeaders.CONTENT_LENGTH, "0");
    }
    creq.end();
  }

  /**
   * Streams the request body to {@code creq}, starting with {@link #firstChunk} when it was read already
   * ({@link #awaitFirstBodyEvent}); over {@code server.max_request_body} it is 413.
   */
  private void streamBody(HttpClientRequest creq) {
    Buffer first = firstChunk;
    firstChunk = null;
    // A body of unknown length: chunked on HTTP/1.1; on HTTP/2 the flag only tells Vert.x that no Content-Length
    // is coming (it writes no Transfer-Encoding there), without which its first write throws. A gRPC request is such
    // a body: h2 downstream, no Content-Length.
    if (request.getHeader(HttpHeaders.CONTENT_LENGTH) == null) creq.setChunked(true);
    bodyStreamed = true;
    BodyLimitStream body = new BodyLimitStream(request, maxRequestBody,
        () -> fail(ResponseFlag.REQUEST_BODY_TOO_LARGE, "request body exceeds " + maxRequestBody + " bytes"),
        this::downstreamFailed);
    if (first != null) {
      if (!body.admits(first)) return;
      creq.write(first);
    }
    body.pipe().endOnFailure(false).to(creq).onFailure(err -> {
      creq.reset();
      if (!done && response.closed()) finish(499, ResponseFlag.DOWNSTREAM_DISCONNECT);
    });
  }

  /**
   * Whether try {@code t}, which failed with {@code cause} before a response head, sends its request again on another
   * connection ({@link UpstreamResend}); the balancer sees one call.
   */
  private boolean mayResend(Try t, Throwable cause) {
    var sent = new UpstreamResend.Sent(request.method().name(), hasBody(), replayBody != null, t.keptAlive,
        t.upstream.streamId());
    return UpstreamResend.allowed(sent, resends, cause);
  }

  private void resend(Try t, HostPort address) {
    resends++;
    runtime.metrics().upstreamResend(cluster.name());
    t.upstream = null;
    t.keptAlive = false;
    request(t, address);
  }

  /** HTTP/1.x: a body exists iff Content-Length or Transfer-Encoding says so; HTTP/2: until END_STREAM. */
  private boolean hasBody() {
    if (request.version() == HttpVersion.HTTP_2) return !request.isEnded();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) return !length.trim().equals("0");
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private boolean mayRetry(Outcome outcome) {
    if (retry == null || System.nanoTime() - startNanos >= routeTimeoutNanos) return false;
    boolean neverSent = outcome.failure() == io.sidecar.balancer.FailureKind.CONNECT_FAILURE;
    if (bodyStreamed && !neverSent) return false;
    return retry.shouldRetry(retries + 1, outcome, request.method().name(),
        route.retry() != null && route.retry().nonIdempotent());
  }

  private void tryFailed(Try t, ResponseFlag flag, String detail) {
    if (!active.remove(t) || done) return;
    if (t.timer != null) t.timer.cancel();
    Outcome outcome = Outcome.failure(flag.failureKind());
    t.complete(System.nanoTime() - t.startNanos, outcome, LoadHint.NONE, flag);
    if (t.upstream != null) t.upstream.reset();
    if (!active.isEmpty()) return; // a hedge still races: its answer decides
    cancelHedge();
    if (mayRetry(outcome)) {
      scheduleRetry();
    } else {
      fail(flag, detail);
    }
  }

  private void onResponse(Try t, HttpClientResponse cresp) {
    long headerNanos = System.nanoTime() - t.startNanos;
    // First answer wins: the racing try is cancelled (blames nobody) and reset.
    for (Try other : takeActive()) {
      if (other == t) continue;
      other.cancel();
      if (other.upstream != null) other.upstream.reset();
    }
    active.add(t);
    int status = cresp.statusCode();
    UpstreamFailure invalid = UpstreamFailure.ofStatus(status);
    if (invalid != null) {
      tryFailed(t, invalid.flag, invalid.getMessage());
      return;
    }
    Outcome outcome = Outcome.status(status);
    if (status >= 500 || (retry != null && retry.retriable(outcome))) {
      if (mayRetry(outcome)) {
        active.clear();
        t.complete(headerNanos, outcome, LoadHint.parseHeader(cresp.getHeader(LoadHint.HEADER)), ResponseFlag.NONE);
        cresp.pause();
        held = new HeldResponse(cresp, headerNanos);
        scheduleRetry();
        return;
      }
    }
    relay(cresp, headerNanos, t);
  }

  /**
   * Keeps an upstream's own reason phrase; the standard one is what the response carries anyway, and setting it
   * would build a new status line object per response.
   */
  static void relayStatusMessage(String message, int status, HttpServerResponse response) {
    if (message == null || message.isEmpty()) return;
    if (message.equals(io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase())) return;
    response.setStatusMessage(message);
  }

  private void scheduleRetry() {
    retries++;
    long backoffMillis = Math.max(1, retry.backoffNanos(retries, ThreadLocalRandom.current()) / 1_000_000);
    runtime.vertx().setTimer(backoffMillis, id -> nextTry());
  }

  /** Sends the upstream response downstream; {@code t} is null when its handle was completed already. */
  private void relay(HttpClientResponse cresp, long headerNanos, Try t) {
    if (done) return;
    var patch = faults == null ? null : faults.patch();
    int status = patch == null ? cresp.statusCode() : io.sidecar.fault.vertx.ResponsePatcher.status(patch, cresp.statusCode());
    response.setStatusCode(status);
    relayStatusMessage(cresp.statusMessage(), status, response);
    MultiMap headers = response.headers();
    HopByHopHeaders.copyEndToEnd(cresp.headers(), headers);
    UpstreamRequests.appendVia(headers, ResponseOverrunGuard.receivedVersion(cresp));
    UpstreamRequests.apply(route.responseHeaders(), headers);
    if (servingSide) headers.set(LoadHint.HEADER, signals.loadHint().encode());
    if (patch != null) io.sidecar.fault.vertx.ResponsePatcher.headers(patch, headers);
    boolean bodyless = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (!bodyless && !headers.contains(HttpHeaders.CONTENT_LENGTH) && request.version() != HttpVersion.HTTP_2) {
      response.setChunked(true);
    }
    LoadHint hint = t == null ? LoadHint.NONE : LoadHint.parseHeader(cresp.getHeader(LoadHint.HEADER));
    String length = cresp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (patch != null && patch.changesBody() && length != null && Long.parseLong(length.trim()) <= MAX_PATCHED_BODY) {
      cresp.body().onComplete(ar -> {
        if (ar.failed()) {
          if (t != null) {
            t.complete(System.nanoTime() - t.startNanos, Outcome.failure(io.sidecar.balancer.FailureKind.RESET),
                LoadHint.NONE, ResponseFlag.UPSTREAM_RESET);
          }
          active.clear();
          fail(ResponseFlag.UPSTREAM_RESET, String.valueOf(ar.cause().getMessage()));
          return;
        }
        if (t != null) t.complete(headerNanos, Outcome.status(cresp.statusCode()), hint, ResponseFlag.NONE);
        active.clear();
        response.end(io.sidecar.fault.vertx.ResponsePatcher.body(patch, ar.result(), headers));
        finish(status, ResponseFlag.NONE);
      });
      return;
    }
    io.vertx.core.streams.WriteStream<Buffer> destination = response;
    if (faults != null && (faults.shape() != null || faults.responseDelayNanos() > 0)) {
      destination = new io.sidecar.fault.vertx.ShapedWriteStream(runtime.vertx(), response, faults.shape(),
          faults.responseDelayNanos(), this::abortDownstream, SHAPING_RANDOM);
    }
    destination = new TrailerRelay(destination, cresp, response);
    cresp.pipe().endOnFailure(false).to(destination).onComplete(ar -> {
      if (ar.succeeded()) {
        if (t != null) t.complete(headerNanos, Outcome.status(status), hint, ResponseFlag.NONE);
        active.clear();
        finish(status, ResponseFlag.NONE);
      } else if (!done) {
        // Once the head is gone, the only honest signal left is to break the downstream stream.
        ResponseFlag flag = response.closed() ? ResponseFlag.DOWNSTREAM_DISCONNECT
            : FailureClassifier.classify(ar.cause(), true);
        if (t != null) {
          if (flag == ResponseFlag.DOWNSTREAM_DISCONNECT) t.cancel();
          else t.complete(System.nanoTime() - t.startNanos, Outcome.failure(flag.failureKind()), LoadHint.NONE, flag);
        }
        active.clear();
        if (discardUnsentHead(response, flag)) {
          fail(flag, String.valueOf(ar.cause().getMessage()));
          return;
        }
        finish(status, flag);
        abortDownstream();
      }
    });
  }

  private void fail(ResponseFlag flag, String detail) {
    if (done) return;
    List<Try> tries = takeActive();
    tries.forEach(t -> t.complete(System.nanoTime() - t.startNanos, Outcome.failure(flag.failureKind()), LoadHint.NONE, flag));
    if (held != null) {
      held.response().handler(null).resume();
      held = null;
    }
    if (!response.headWritten() && !response.closed()) {
      replyLocal(request, flag, detail);
      finish(flag.status(), flag);
      // Drain whatever request body is left so the keep-alive connection can serve the next request.
      if (!request.isEnded() && !flag.closesConnection()) request.handler(null).resume();
    } else {
      finish(response.getStatusCode(), flag);
      abortDownstream();
    }
    // After finish(): the reset's own failure callbacks must find the exchange done, not name it again.
    tries.forEach(t -> { if (t.upstream != null) t.upstream.reset(); });
  }

  /**
   * RFC 9110 §15.2: a proxy forwards the 1xx responses it did not ask for itself; 103 Early Hints (RFC 8297) lets the
   * client start fetching what the final response will link to. Only from the try still in play, and never to an
   * HTTP/1.0 client, which cannot read a 1xx. (100 Continue is the sidecar's own: it answers Expect itself.)
   */
  private void relayEarlyHints(Try t, MultiMap hints) {
    if (done || !active.contains(t) || response.headWritten() || request.version() == HttpVersion.HTTP_1_0) return;
    MultiMap forwarded = earlyHintsFields(request.version());
    HopByHopHeaders.copyEndToEnd(hints, forwarded);
    response.writeEarlyHints(forwarded);
  }

  /**
   * The map a 103's fields are gathered in for a client of {@code version}. To an HTTP/2 client the names go in lower
   * case (RFC 9113 §8.2.1): Vert.x 5.0.7's {@code Http2ServerResponse.writeEarlyHints} copies the names it is given
   * as they are into Netty's validating {@code DefaultHttp2Headers}, which throws on {@code Link} from an HTTP/1.1
   * upstream; the throw went back into Vert.x's client, which logged it, and no 103 was written. This is the map
   * Vert.x gives the final head ({@code response.headers()}), which lower-cases every name put in it.
   */
  static MultiMap earlyHintsFields(HttpVersion version) {
    return version == HttpVersion.HTTP_2
        ? new io.vertx.core.http.impl.headers.Http2HeadersAdaptor(new io.netty.handler.codec.http2.DefaultHttp2Headers())
        : HttpHeaders.headers();
  }

  /**
   * The downstream request failed while we read it. When Netty's decoder rejected its body (a bad chunk size or
   * delimiter), the answer is a 400 while no response has started, as nginx and Envoy give; Vert.x closes the
   * connection right after this returns, so the answer is written first. A connection that went away is the close
   * handler's (499).
   */
  private void downstreamFailed(Throwable failure) {
    if (done || request.version() == HttpVersion.HTTP_2 || !RequestConformance.isMalformedBody(failure)) return;
    fail(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR, "malformed request body ("
        + (failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName()) + ")");
  }

  private void abortDownstream() {
    if (request.version() == HttpVersion.HTTP_2) response.reset();
    else request.connection().close();
  }

  private void finish(int status, ResponseFlag flag) {
    if (done) return;
    done = true;
    EarlyAnswerReset.ifRequestUnfinished(request);
    if (totalTimer != null) totalTimer.cancel();
    long nanos = System.nanoTime() - startNanos;
    meters.finished(status, flag, nanos);
    signals.record(nanos, status, flag == ResponseFlag.NONE ? null : flag.code(), response.bytesWritten());
    AccessLog log = runtime.accessLog();
    if (log != null) {
      log.log(request, route.name(), cluster.name(), lastAddress, status, flag, nanos, response.bytesWritten());
    }
  }

  /**
   * When a response fails before any byte of it went downstream (Vert.x writes the head with the first body bytes),
   * forgets the head it was given, so that the sidecar's own answer (a 502...) can take its place; false when the
   * head is gone or the client is, and only breaking the stream is left.
   */
  static boolean discardUnsentHead(HttpServerResponse response, ResponseFlag flag) {
    if (response.headWritten() || response.closed()) return false;
    response.headers().clear();
    response.setChunked(false).setStatusMessage(
        io.netty.handler.codec.http.HttpResponseStatus.valueOf(flag.status()).reasonPhrase());
    return true;
  }

  /**
   * A response the sidecar makes itself: the flag's status, the flag header and a one-line text reason; to a gRPC
   * call, the matching gRPC status with that reason ({@link GrpcLocalReply}).
   */
  static void replyLocal(HttpServerRequest request, ResponseFlag flag, String detail) {
    replyLocal(request, flag, flag.status(), detail);
  }

  /** {@link #replyLocal(HttpServerRequest, ResponseFlag, String)} with another status than the flag's. */
  static void replyLocal(HttpServerRequest request, ResponseFlag flag, int status, String detail) {
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.closed()) return;
    if (GrpcLocalReply.isGrpc(request)) {
      GrpcLocalReply.send(response, flag, localReplyText(flag, detail));
      return;
    }
    response.setStatusCode(status)
        .putHeader(ResponseFlag.HEADER, flag.code())
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
    if (flag.closesConnection() && request.version() != HttpVersion.HTTP_2) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
      closeAfterResponse(request);
    }
    response.end(localReplyText(flag, detail));
  }

  /**
   * Ends an HTTP/1.x connection once the response is written. Vert.x closes only where it read the request as not
   * keep-alive; a {@code connection: close} the handler writes does not close. The connection is marked first: Vert.x
   * hands a pipelined request it has already read to the handler while the response ends, before this closes, and
   * no request after a {@code close} may be processed (RFC 9112 §9.6), so {@link ProxyHandler} drops it.
   */
  static void closeAfterResponse(HttpServerRequest request) {
    if (request.connection() instanceof io.vertx.core.net.impl.ConnectionBase connection) {
      connection.channel().attr(CLOSING).set(Boolean.TRUE);
    }
    request.response().bodyEndHandler(v -> request.connection().close());
  }

  private static final io.netty.util.AttributeKey<Boolean> CLOSING = io.netty.util.AttributeKey.valueOf("sidecar.closing");

  /** Whether {@code request} came on a connection that closes after an earlier response (it must not be served). */
  static boolean onClosingConnection(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_2
        && request.connection() instanceof io.vertx.core.net.impl.ConnectionBase connection
        && connection.channel().hasAttr(CLOSING) && connection.channel().attr(CLOSING).get() != null;
  }

  /** The body of a response the sidecar makes itself: the flag's name and the detail, one line. */
  static String localReplyText(ResponseFlag flag, String detail) {
    return flag.name().toLowerCase().replace('_', ' ') + ": " + detail + "\n";
  }

  /** Why the balancer of the cluster named {@code cluster} refused a try, as the sidecar's answer says it. */
  static String refusalDetail(String cluster, io.sidecar.balancer.Refusal refusal) {
    return "cluster " + cluster + ": " + refusal.name().toLowerCase().replace('_', ' ');
  }
}
