package io.sidecar.cache.semantics;

/**
 * The metadata of a stored response that freshness and validation decisions need: status, header fields and
 * the request/response times of RFC 9111 §4.2.3 (epoch millis of the cache's clock).
 */
public record StoredResponse(int status, HeaderFields headers, long requestTime, long responseTime) {

  public StoredResponse {
    if (headers == null) {
      throw new IllegalArgumentException("headers");
    }
  }
}
