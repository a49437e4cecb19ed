package io.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.sidecar.proxy.http1.ResponseHeadParser;

/**
 * Where a pooled byte-level upstream connection ({@link FastPathUpstream}) hands the response it reads: to an HTTP/1.x
 * client's {@link FastPathExchange} as bytes, or to an HTTP/2 client's stream ({@link Http2RawExchange}). Every call
 * runs on the upstream connection's event loop, which is the client connection's.
 */
interface RawResponseSink {
  /** A 1xx other than 101, at {@code buf}'s reader index (its head is skipped by the caller). */
  void interimHead(ResponseHeadParser head, ByteBuf buf);

  /** Whether the final head just read is held back (unread, the connection paused) for a retry. */
  boolean holds(ResponseHeadParser head);

  /** The final response head at {@code buf}'s reader index, followed by {@code inlineBody} bytes of its body. */
  void responseHead(ResponseHeadParser head, ByteBuf buf, int inlineBody);

  /** A piece of the body, the sink's to release. */
  void responseBody(ByteBuf piece);

  /**
   * The trailer section of a chunked body that reaches the client decoded, just before {@link #responseEnd}: field
   * lines, each ended by LF; dropped unless the client can take trailers as fields.
   */
  default void responseTrailers(String section) {}

  /**
   * Just before {@link #responseEnd} of a chunked body: the sum of its chunk sizes, its data without the chunked
   * framing (what the full path counts as the body's bytes, for the access log and the traffic signals).
   */
  default void chunkedBodyLength(long dataBytes) {}

  /** The whole response was read; {@code reusable}: the connection may serve another request. */
  void responseEnd(Channel upstream, boolean reusable);

  /** The connection failed or sent what is not HTTP; it is closed already. */
  void upstreamFailed(ResponseFlag flag, String detail);

  /** The upstream closed the connection before a byte of the response came. */
  void closedBeforeResponse();

  /** The upstream's read is over for now: what was written downstream may go out. */
  void flushDownstream();

  /** The upstream connection's writability changed (the request body's back-pressure). */
  void upstreamWritable(boolean writable);
}
