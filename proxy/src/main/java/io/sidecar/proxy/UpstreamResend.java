package io.sidecar.proxy;

import io.sidecar.balancer.retry.RetryPolicy;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;

/**
 * When a request the Vert.x client sent may go out again, without a retry policy, because it failed before any
 * response in a way that says the upstream did not act on it, or may safely act on it twice. The balancer sees one
 * call. Two cases (the byte-level path has the first on its own, {@link FastPathExchange#closedBeforeResponse}):
 * <ul>
 *   <li>A kept-alive HTTP/1.x connection closed under the request. An upstream may close a connection as idle just as
 *       a request goes out on it (Node closes after 5 s, Apache and gunicorn sooner); RFC 9112 §9.3.1 lets a client
 *       send an idempotent request again then, and nginx does for its keep-alive connections, as do Go's and hyper's
 *       clients. Only an idempotent request without a body.</li>
 *   <li>An HTTP/2 upstream said it did not process the stream: RST_STREAM with REFUSED_STREAM, or a GOAWAY whose last
 *       stream id is below the stream's (RFC 9113 §8.7: such a request "can be safely retried", whatever its method).
 *       A server sends these when it shuts down gracefully or is at its stream limit, so without this every upstream
 *       restart failed the requests in flight. Any method, if its body (if any) can be sent again.</li>
 * </ul>
 * Only a few times: each time the pool hands out its next connection, which may have gone stale with the first.
 */
final class UpstreamResend {
  static final int MAX_RESENDS = 3;
  /** RFC 9113 §7. */
  static final long REFUSED_STREAM = 0x7;

  private UpstreamResend() {}

  /**
   * A request as it went out.
   *
   * @param bodyReplayable its body is held whole and can go out again
   * @param keptAlive      it went out on a connection that had carried a response before
   *                       ({@link ResponseOverrunGuard#servedBefore})
   * @param streamId       its HTTP/2 stream id; -1 on HTTP/1.x ({@link io.vertx.core.http.HttpClientRequest#streamId})
   */
  record Sent(String method, boolean hasBody, boolean bodyReplayable, boolean keptAlive, int streamId) {}

  /**
   * @param resends how often this request was sent again already
   * @param cause   why its response did not come
   */
  static boolean allowed(Sent sent, int resends, Throwable cause) {
    if (resends >= MAX_RESENDS) return false;
    if (unprocessed(cause, sent.streamId())) return !sent.hasBody() || sent.bodyReplayable();
    return sent.keptAlive() && cause instanceof HttpClosedException && resendable(sent.method(), sent.hasBody());
  }

  /** The HTTP/2 upstream said it never acted on stream {@code streamId} (RFC 9113 §8.7). */
  static boolean unprocessed(Throwable cause, int streamId) {
    if (cause instanceof StreamResetException reset) return reset.getCode() == REFUSED_STREAM;
    return cause instanceof HttpClosedException closed && closed.goAway() != null
        && streamId > closed.goAway().getLastStreamId();
  }

  /** Whether a request may go out twice at all: idempotent (RFC 9110 §9.2.2) and without a body. */
  static boolean resendable(String method, boolean hasBody) {
    return !hasBody && RetryPolicy.IDEMPOTENT_METHODS.contains(method);
  }
}
