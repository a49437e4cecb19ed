package io.sidecar.cache;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * Performs the upstream request for the cache. Supplied by the proxy (balancer, retries and all).
 */
@FunctionalInterface
public interface Origin {

  /**
   * @param request the request to send: method may differ from the downstream one (the cache never sends
   *     HEAD for a cacheable GET) and the client's own conditional headers may have been removed
   * @param extraHeaders header fields to add (the cache's If-None-Match / If-Modified-Since when validating)
   * @return the upstream response with an unread body stream
   */
  Future<OriginResponse> fetch(CacheRequest request, MultiMap extraHeaders);

  /**
   * The header fields an origin sends: the request's own, with each field named in {@code extraHeaders}
   * replaced by the cache's values. (Not {@code MultiMap.setAll}, which clears the target first and would send
   * only the cache's fields: the origin would lose Accept, Authorization, the Vary-selecting fields and all.)
   */
  static MultiMap requestHeaders(CacheRequest request, MultiMap extraHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    if (extraHeaders != null) {
      for (String name : extraHeaders.names()) {
        headers.set(name, extraHeaders.getAll(name));
      }
    }
    return headers;
  }
}
