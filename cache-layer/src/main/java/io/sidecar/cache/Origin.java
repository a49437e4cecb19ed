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
}
