package io.sidecar.fault.vertx;

import io.sidecar.fault.FaultDecision;
import io.sidecar.fault.spec.AbortSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * The Vert.x side of applying a {@link FaultDecision} to an HTTP exchange, so the proxy can do it
 * mechanically:
 *
 * <pre>
 * FaultDecision d = registry.decide(view);
 * if (d.isNoFault()) { forward(); return; }
 * HttpFaultActions.delay(vertx, d.requestDelayNanos()).onComplete(v -&gt; {
 *   AbortSpec a = d.abort();
 *   if (a == null) forward(d);                                 // then response delay / patch / shape
 *   else if (a.kind() == AbortSpec.Kind.UPSTREAM_UNAVAILABLE)
 *     failAttempt(HttpFaultActions.upstreamUnavailable(d));   // through the retry / breaker path
 *   else HttpFaultActions.abort(request, a, d);
 * });
 * </pre>
 */
public final class HttpFaultActions {

  /** Response header naming the faults that touched the response (like Envoy's response flag FI). */
  public static final String FAULT_HEADER = "x-sidecar-fault";

  private HttpFaultActions() {}

  /** Completes after {@code nanos} on a Vert.x timer (at once when 0). */
  public static Future<Void> delay(Vertx vertx, long nanos) {
    if (nanos <= 0) return Future.succeededFuture();
    Promise<Void> p = Promise.promise();
    vertx.setTimer(Math.max(1, Math.round(nanos / 1e6)), id -> p.complete());
    return p.future();
  }

  /** Names of the faults in a decision, comma separated, for the fault header and logs. */
  public static String names(FaultDecision d) {
    return String.join(",", d.faultNames());
  }

  /**
   * Answers the downstream request as the abort says: STATUS writes the status, headers and body;
   * RESET resets the stream (HTTP/2) or the connection (HTTP/1.x); CLOSE closes the connection
   * without a response. UPSTREAM_UNAVAILABLE must go through the proxy's upstream-failure path
   * ({@link #upstreamUnavailable}); here it answers 503 as a last resort. A paused request is resumed
   * (its body drained) before answering so keep-alive connections stay usable.
   */
  public static void abort(HttpServerRequest request, AbortSpec abort, FaultDecision decision) {
    HttpServerResponse response = request.response();
    switch (abort.kind()) {
      case STATUS -> {
        // a request paused while the fault stage waited must be drained, or a keep-alive connection
        // never sees its end and the next request on it hangs
        request.resume();
        response.setStatusCode(abort.status());
        for (Map.Entry<String, String> h : abort.headers().entrySet()) response.putHeader(h.getKey(), h.getValue());
        response.putHeader(FAULT_HEADER, names(decision));
        if (abort.body() != null) response.end(abort.body());
        else response.end();
      }
      case RESET -> {
        if (request.version() == io.vertx.core.http.HttpVersion.HTTP_2) response.reset();
        else resetConnection(request);
      }
      case CLOSE -> request.connection().close();
      case UPSTREAM_UNAVAILABLE -> request.resume().response().setStatusCode(503).putHeader(FAULT_HEADER, names(decision)).end();
    }
  }

  /** The exception to fail the upstream attempt with for an {@code upstream_unavailable} abort. */
  public static InjectedConnectFailure upstreamUnavailable(FaultDecision decision) {
    return new InjectedConnectFailure(names(decision));
  }

  /** Closes the HTTP/1.x connection with a TCP RST (SO_LINGER 0) rather than a FIN. */
  static void resetConnection(HttpServerRequest request) {
    var conn = request.connection();
    // Vert.x has no public per-connection linger option: use the netty channel of the connection
    if (conn instanceof io.vertx.core.net.impl.ConnectionBase base) {
      base.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
    }
    conn.close();
  }
}
