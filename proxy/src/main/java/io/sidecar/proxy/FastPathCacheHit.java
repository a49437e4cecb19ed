package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sidecar.cache.CacheRequest;
import io.sidecar.cache.CacheResponse;
import io.sidecar.cache.HttpCache;
import io.sidecar.proxy.http1.RequestHeadParser;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Answers a request on a caching route from the byte-level path when the cache has a fresh answer in memory
 * ({@link HttpCache#freshHitInMemory}): the same status, header fields and body {@link CachingExchange} would write,
 * encoded here, without Vert.x's request and response objects. Everything else (a miss, L2, validation, stale
 * serving, refresh-ahead, a request body) is left to the full path, which the caller hands the request to.
 * The route meters and traffic signals record the hit as {@link CachingExchange} records it.
 */
final class FastPathCacheHit {
  /** Bodies up to this size are copied behind the head, so head and body leave in one buffer. */
  private static final int COPIED_BODY_BYTES = 4096;
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] COLON_SP = {':', ' '};
  private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION_KEEP_ALIVE = "connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);

  private FastPathCacheHit() {}

  /** What was served: the status and whether the connection must close after it; null when nothing was. */
  record Served(int status, boolean close) {}

  /**
   * Writes (without flushing) the stored answer to the request {@code head} has just parsed, or returns null
   * having written and counted nothing.
   */
  static Served serve(ProxyRuntime runtime, FastPathConnection connection, RequestHeadParser head,
                      RoutingSnapshot.CompiledRoute route, RoutingSnapshot.SplitTarget target, long startNanos) {
    ChannelHandlerContext ctx = connection.context();
    HttpCache cache = runtime.cache();
    if (cache == null || head.hasBody()) return null;
    MultiMap answerHeaders = MultiMap.caseInsensitiveMultiMap();
    CacheResponse answer = cache.freshHitInMemory(request(head, connection.scheme()), route.cache(), answerHeaders);
    if (answer == null) return null;
    ProxyMetrics.RouteMeters meters = target.meters();
    meters.started();
    route.signals().begin();
    route.signals().cacheLookup(true);
    boolean close = !head.persistent();
    Buffer body = answer.body();
    int bodyBytes = body == null ? 0 : body.length();
    ByteBuf out = ctx.alloc().buffer(256 + 64 * lines(answerHeaders) + (bodyBytes <= COPIED_BODY_BYTES ? bodyBytes : 0));
    writeHead(out, answer.status(), answerHeaders, connectionLine(close, head.http10()));
    ByteBuf stored = body == null ? null : ((BufferInternal) body).getByteBuf(); // an unreleasable view
    if (stored != null && bodyBytes <= COPIED_BODY_BYTES) {
      out.writeBytes(stored);
      stored = null;
    }
    ctx.write(out, ctx.voidPromise());
    if (stored != null) ctx.write(stored, ctx.voidPromise());
    long nanos = System.nanoTime() - startNanos;
    meters.finished(answer.status(), ResponseFlag.NONE, nanos);
    route.signals().record(nanos, answer.status(), null, bodyBytes);
    AccessLog log = runtime.accessLog();
    if (log != null) { // the line CachingExchange writes for a hit, with the id the full path would have given it
      String requestId = head.header(RequestIds.HEADER);
      if (requestId == null && connection.generatesRequestIds()) requestId = RequestIds.random();
      log.log(requestId, head.method(), head.path(), route.spec().name(), target.cluster().name(), null, answer.status(),
          ResponseFlag.NONE, nanos, bodyBytes, connection.clientAddress());
    }
    return new Served(answer.status(), close);
  }

  /**
   * How many field lines {@code headers} holds. Not {@code MultiMap.size()}: Vert.x's counts distinct names by
   * building a case-insensitive TreeSet, which took 8 % of a cache hit's CPU.
   */
  private static int lines(MultiMap headers) {
    int n = 0;
    for (Map.Entry<String, String> ignored : headers) n++;
    return n;
  }

  /**
   * The request as {@link CacheRequest#of} sees it on the full path: the listener's scheme (Vert.x's request says
   * https on TLS), the authority from Host, the raw target.
   */
  private static CacheRequest request(RequestHeadParser head, String scheme) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    head.forEachField(headers::add);
    HostAndPort authority = HostAndPort.parseAuthority(head.authority(), -1);
    return new CacheRequest(head.method(), scheme, authority == null ? "" : authority.toString(), head.target(),
        headers);
  }

  /**
   * The byte-level path's {@code connection} line of a response, with its CRLF, or null for none: close when the
   * connection closes after it (RFC 9112 §9.6), keep-alive for an HTTP/1.0 client that keeps it, which must be told
   * (§9.3); an HTTP/1.1 client that keeps it needs none.
   */
  static byte[] connectionLine(boolean close, boolean http10Client) {
    return close ? CONNECTION_CLOSE : http10Client ? CONNECTION_KEEP_ALIVE : null;
  }

  /**
   * Status line and fields as Vert.x writes them for the full path (its reason phrase, names as given), then the
   * {@code connection} line ({@link #connectionLine}).
   */
  private static void writeHead(ByteBuf out, int status, MultiMap headers, byte[] connection) {
    out.writeCharSequence("HTTP/1.1 " + status + " " + HttpResponseStatus.valueOf(status).reasonPhrase(),
        StandardCharsets.US_ASCII);
    out.writeBytes(CRLF);
    for (Map.Entry<String, String> field : headers) {
      out.writeCharSequence(field.getKey(), StandardCharsets.ISO_8859_1);
      out.writeBytes(COLON_SP);
      out.writeCharSequence(field.getValue(), StandardCharsets.ISO_8859_1);
      out.writeBytes(CRLF);
    }
    if (connection != null) out.writeBytes(connection);
    out.writeBytes(CRLF);
  }
}
