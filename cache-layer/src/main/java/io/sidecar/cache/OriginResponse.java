package io.sidecar.cache;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * The upstream response the proxy hands the cache. The body stream must not have been read yet; the cache
 * pauses it as soon as the future completes and then either tees it into storage or passes it on.
 */
public record OriginResponse(int status, MultiMap headers, ReadStream<Buffer> body) {
}
