package io.sidecar.proxy;

import io.sidecar.balancer.retry.RetryPolicy;
import io.vertx.core.http.HttpClosedException;

/**
 * When a request the Vert.x client sent may go out again after its connection closed before a response (the byte-level
 * path has its own, {@link FastPathExchange#closedBeforeResponse}). An upstream may close a kept-alive connection as
 * idle just as a request goes out on it (Node closes after 5 s, Apache and gunicorn sooner); RFC 9112 §9.3.1 lets a
 * client send an idempotent request again then, and nginx does for its keep-alive connections, as do Go's and hyper's
 * clients. Only a request without a body, and only a few times: each time the pool hands out its next idle connection,
 * which may have gone stale with the first.
 */
final class KeptAliveResend {
  static final int MAX_RESENDS = 3;

  private KeptAliveResend() {}

  /**
   * @param keptAlive the request went out on a connection that had carried a response before
   *                  ({@link ResponseOverrunGuard#servedBefore})
   * @param resends   how often this request was sent again already
   * @param cause     why its response did not come
   */
  static boolean allowed(boolean keptAlive, int resends, Throwable cause, String method, boolean hasBody) {
    return keptAlive && resends < MAX_RESENDS && cause instanceof HttpClosedException && resendable(method, hasBody);
  }

  /** Whether a request may go out twice at all: idempotent (RFC 9110 §9.2.2) and without a body. */
  static boolean resendable(String method, boolean hasBody) {
    return !hasBody && RetryPolicy.IDEMPOTENT_METHODS.contains(method);
  }
}
