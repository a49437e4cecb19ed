package io.sidecar.fault.spec;

import java.util.Map;

/**
 * Abort the request instead of sending it upstream.
 *
 * @param status HTTP status for {@link Kind#STATUS}, 0 otherwise
 * @param body response body for {@link Kind#STATUS} (nullable)
 * @param headers extra response headers for {@link Kind#STATUS}
 */
public record AbortSpec(Kind kind, int status, String body, Map<String, String> headers) {

  public enum Kind {
    /** Answer with {@code status}, {@code body} and {@code headers}. */
    STATUS,
    /** Reset the downstream connection (TCP RST, or RST_STREAM on HTTP/2). */
    RESET,
    /** Close the downstream connection without any response. */
    CLOSE,
    /**
     * Behave as if the upstream connection could not be established: the proxy must treat it as a
     * connect failure so retries, outlier detection and breakers see it.
     */
    UPSTREAM_UNAVAILABLE
  }

  public AbortSpec {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static AbortSpec status(int status) {
    return new AbortSpec(Kind.STATUS, status, null, Map.of());
  }
}
