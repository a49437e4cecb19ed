package io.sidecar.cache;

import io.vertx.core.MultiMap;

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

  public CacheRequest withMethod(String m) {
    return new CacheRequest(m, scheme, authority, pathAndQuery, headers);
  }

  public CacheRequest withHeaders(MultiMap h) {
    return new CacheRequest(method, scheme, authority, pathAndQuery, h);
  }
}
