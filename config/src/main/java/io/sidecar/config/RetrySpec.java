package io.sidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * Retry policy of a route, with Envoy's condition names. {@code on}: connect-failure, refused-stream, reset,
 * 5xx (any 5xx, and timeouts), gateway-error (502/503/504 and timeouts), retriable-status-codes. Non-idempotent
 * methods are retried only with {@code non_idempotent: true} (a connect failure never reached the upstream, so it is
 * always retried).
 */
public record RetrySpec(List<String> on, int attempts, Duration perTryTimeout, List<Integer> retriableStatusCodes,
                        boolean nonIdempotent, Duration backoffBase, Duration backoffMax, long maxBufferedBody) {
  public static final List<String> CONDITIONS =
      List.of("connect-failure", "refused-stream", "reset", "5xx", "gateway-error", "retriable-status-codes");
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
  public static final long DEFAULT_MAX_BUFFERED_BODY = 64 * 1024;
}
