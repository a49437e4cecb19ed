package io.sidecar.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.bootstrap.ServerBootstrapConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import java.util.Map;

/**
 * A listening socket of one event loop's own, on the address of a socket Vert.x bound with {@code SO_REUSEPORT}:
 * the kernel spreads new connections across the sockets of the group by their addresses, and a connection that
 * reaches this one is accepted, set up and served on this loop's thread. Through Vert.x's socket alone, a connection
 * is accepted on Vert.x's acceptor thread and handed to a loop through its task queue, which wakes it: on a client
 * without keep-alive, that is one thread wake-up per request (nginx's {@code listen ... reuseport} and Envoy's
 * {@code enable_reuse_port} make the same choice).
 *
 * <p>The socket is bound with the set-up Vert.x gave its own ({@link EarlyFastPath.Bound}): the same options, and
 * Vert.x's child handler, which sets a connection up for the listener instance that runs on the connection's event
 * loop, so a connection is the same to Vert.x whichever socket took it.
 */
final class LoopAcceptor {
  private static final AttributeKey<Boolean> LOOP_SOCKET = AttributeKey.valueOf(LoopAcceptor.class, "loopSocket");

  private LoopAcceptor() {}

  /** Whether {@code serverChannel} is one of ours rather than Vert.x's (set before it is bound). */
  static boolean isLoopSocket(Channel serverChannel) {
    return serverChannel.hasAttr(LOOP_SOCKET);
  }

  /** Binds a socket accepted on {@code loop} next to {@code vertxSocket}. */
  static ChannelFuture bind(EventLoop loop, EarlyFastPath.Bound vertxSocket) {
    ServerBootstrapConfig setUp = vertxSocket.setUp();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(loop, loop)
        .channelFactory(setUp.channelFactory())
        .childHandler(setUp.childHandler());
    setUp.options().forEach((option, value) -> bootstrap.option(anyOption(option), value));
    setUp.attrs().forEach((key, value) -> bootstrap.attr(anyKey(key), value));
    setUp.childOptions().forEach((option, value) -> bootstrap.childOption(anyOption(option), value));
    setUp.childAttrs().forEach((key, value) -> bootstrap.childAttr(anyKey(key), value));
    bootstrap.attr(LOOP_SOCKET, true);
    return bootstrap.bind(vertxSocket.channel().localAddress());
  }

  @SuppressWarnings("unchecked")
  private static ChannelOption<Object> anyOption(ChannelOption<?> option) {
    return (ChannelOption<Object>) option;
  }

  @SuppressWarnings("unchecked")
  private static AttributeKey<Object> anyKey(AttributeKey<?> key) {
    return (AttributeKey<Object>) key;
  }
}
