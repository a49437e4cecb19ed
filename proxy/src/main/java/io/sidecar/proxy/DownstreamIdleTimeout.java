package io.sidecar.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * {@code server.idle_timeout} for a connection the byte-level path serves. Vert.x's own idle handler sits behind
 * its HTTP/1.1 decoder, so it never sees the bytes the byte-level path (in front of that decoder) reads and writes,
 * and would close a busy connection once the timeout had passed since the last request Vert.x itself served. This
 * one takes its place at the front of the pipeline, where every byte either way passes, and when the connection has
 * been silent both ways for the timeout it sends Vert.x the same event its handler would, so Vert.x closes it as
 * before (and the byte-level path lets an exchange in flight finish first).
 *
 * <p>It cannot be a Netty {@link IdleStateHandler}: Vert.x places its HTTP/1.1 decoder in front of any handler of
 * that class it finds, which would put the decoder ahead of the byte-level path.
 *
 * <p>HTTP/2 connections get it too ({@link #onHttp2}), for its cost: an all-idle {@link IdleStateHandler} adds a
 * listener to the promise of every write to learn when it completes, and an HTTP/2 connection writes a frame at a
 * time (a response is two or three), each of them also through the TLS handler's queue on a TLS listener. Here a
 * write only re-arms a deadline. The silence counts from when a write is handed to the socket rather than from when it
 * completes (as for the byte-level path's HTTP/1.1 connections), which differs only while a client has stopped
 * reading with a write pending.
 */
final class DownstreamIdleTimeout extends ChannelDuplexHandler {
  static final String NAME = "sidecarIdle";
  private static final String VERTX_IDLE = "idle";

  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  private LazyDeadline silence;

  private DownstreamIdleTimeout(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Replaces Vert.x's idle handler in {@code pipeline}, if it has one with an all-idle timeout, by one at the front.
   * Idempotent.
   */
  static void takeOver(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) != null || !(pipeline.get(VERTX_IDLE) instanceof IdleStateHandler vertxIdle)) return;
    long timeoutMillis = vertxIdle.getAllIdleTimeInMillis();
    if (timeoutMillis <= 0) return; // only read or write timeouts: not ours (the listener sets neither)
    pipeline.remove(VERTX_IDLE);
    pipeline.addFirst(NAME, new DownstreamIdleTimeout(TimeUnit.MILLISECONDS.toNanos(timeoutMillis)));
  }

  /** {@link #takeOver} for a server connection Vert.x set up for HTTP/2 (h2 by ALPN, h2c); nothing for HTTP/1.x. */
  static void onHttp2(io.vertx.core.http.HttpConnection connection) {
    if (connection instanceof io.vertx.core.http.impl.Http1xServerConnection
        || !(connection instanceof io.vertx.core.net.impl.ConnectionBase base)) {
      return;
    }
    takeOver(base.channelHandlerContext().pipeline());
  }

  /** Added only to live connections ({@link #takeOver} runs on their event loop), so the timer starts now. */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    silence = LazyDeadline.on(ctx.executor(), this::silent);
    activity();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    activity();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    activity();
    ctx.write(msg, promise);
  }

  private void activity() {
    silence.arm(System.nanoTime(), timeoutNanos);
  }

  /** Silent both ways for the timeout: Vert.x closes on the event; if it did not, the next one is a period on. */
  private void silent() {
    if (!ctx.channel().isOpen()) return;
    activity();
    ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    silence.stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    silence.stop();
  }
}
