package io.sidecar.cache;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * A view of the downstream request the cache decides on.
 *
 * @param method request method, upper case
 * @param scheme "http" or "https" (of the target URI)
 * @param authority host[:port] of the target URI
 * @param pathAndQuery path and query of the target URI
 * @param headers request header fields (not modified by the cache)
 */
public record CacheRequest(String method, String scheme, String authority, String pathAndQuery,
    MultiMap headers) {

  /** The view of a downstream request as received (scheme and authority as the client addressed them). */
  public static CacheRequest of(HttpServerRequest req) {
    HostAndPort a = req.authority();
    String scheme = req.scheme() == null ? (req.isSSL() ? "https" : "http") : req.scheme();
    return new CacheRequest(req.method().name(), scheme, a == null ? "" : a.toString(), req.uri(), req.headers());
  }

  public CacheRequest withMethod(String m) {
    return new CacheRequest(m, scheme, authority, pathAndQuery, headers);
  }

  public CacheRequest withHeaders(MultiMap h) {
    return new CacheRequest(method, scheme, authority, pathAndQuery, h);
  }
}
