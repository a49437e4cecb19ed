package io.sidecar.proxy;

import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Names an upstream failure (Envoy-style response flag) from the exception the HTTP client reported. */
final class FailureClassifier {
  private FailureClassifier() {}

  /** {@code connected}: whether the upstream connection had been obtained when the failure happened. */
  static ResponseFlag classify(Throwable error, boolean connected) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectionPoolTooBusyException) return ResponseFlag.UPSTREAM_OVERFLOW;
      if (t instanceof io.netty.channel.ConnectTimeoutException || t instanceof ConnectException
          || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
        return ResponseFlag.UPSTREAM_CONNECT_FAILURE;
      }
      if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
        return connected ? ResponseFlag.UPSTREAM_TIMEOUT : ResponseFlag.UPSTREAM_CONNECT_FAILURE;
      }
      if (t instanceof HttpClosedException || t instanceof StreamResetException) return ResponseFlag.UPSTREAM_RESET;
      if (t instanceof io.netty.handler.codec.DecoderException || t instanceof io.netty.handler.codec.TooLongFrameException) {
        return ResponseFlag.UPSTREAM_PROTOCOL_ERROR;
      }
      if (connected && isMalformedResponse(t)) return ResponseFlag.UPSTREAM_PROTOCOL_ERROR;
    }
    return connected ? ResponseFlag.UPSTREAM_RESET : ResponseFlag.UPSTREAM_CONNECT_FAILURE;
  }

  /**
   * How Vert.x's client reports a response head Netty's decoder rejected: it fails the connection with the
   * decoder's own cause, an {@link IllegalArgumentException} (Content-Length values that disagree or are not a
   * number, a field value with a NUL, a status line that is not "name/major.minor"), or with an
   * {@link IllegalStateException} for a version other than HTTP/1.0 or 1.1. The byte-level path calls all of these
   * UPE; without this the full path called them UR, as if the upstream had hung up.
   */
  private static boolean isMalformedResponse(Throwable t) {
    return t instanceof IllegalArgumentException
        || t instanceof IllegalStateException && t.getMessage() != null && t.getMessage().startsWith("Unsupported HTTP version");
  }
}
