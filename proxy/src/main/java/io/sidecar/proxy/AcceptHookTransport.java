package io.sidecar.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * A Vert.x transport that is its delegate in every respect but one: each server socket channel it makes carries a
 * handler of ours in front of Netty's acceptor, so that it sees every accepted connection before Vert.x sets it
 * up. Vert.x has no public hook at that point; {@link EarlyFastPath} uses this one.
 */
final class AcceptHookTransport implements Transport {
  private final Transport delegate;
  private final EarlyFastPath hook;

  AcceptHookTransport(Transport delegate, EarlyFastPath hook) {
    this.delegate = delegate;
    this.hook = hook;
  }

  /** The registry whose handlers the server channels carry (for {@link EarlyFastPath#of}). */
  EarlyFastPath hook() {
    return hook;
  }

  /**
   * The server bootstrap Vert.x configured last on this thread: Vert.x calls {@link #configure(NetServerOptions,
   * boolean, ServerBootstrap)} and then, before it binds, {@link #serverChannelFactory}, both on the thread that
   * listens, so the factory knows whose channels it makes.
   */
  private static final ThreadLocal<ServerBootstrap> CONFIGURED = new ThreadLocal<>();

  @Override
  public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
    ChannelFactory<? extends ServerChannel> factory = delegate.serverChannelFactory(domainSocket);
    ServerBootstrap bootstrap = CONFIGURED.get();
    CONFIGURED.remove();
    return () -> {
      ServerChannel channel = factory.newChannel();
      // added before the channel is registered, so before ServerBootstrap appends its acceptor
      channel.pipeline().addLast(hook.acceptor());
      if (bootstrap != null) hook.made(channel, bootstrap.config());
      return channel;
    };
  }

  // everything else is the delegate's

  @Override
  public boolean supportsDomainSockets() {
    return delegate.supportsDomainSockets();
  }

  @Override
  public boolean supportFileRegion() {
    return delegate.supportFileRegion();
  }

  @Override
  public boolean isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return delegate.unavailabilityCause();
  }

  @Override
  public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public IoHandlerFactory ioHandlerFactory() {
    return delegate.ioHandlerFactory();
  }

  @Override
  public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
    return delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
  }

  @Override
  public DatagramChannel datagramChannel() {
    return delegate.datagramChannel();
  }

  @Override
  public DatagramChannel datagramChannel(InternetProtocolFamily family) {
    return delegate.datagramChannel(family);
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    return delegate.channelFactory(domainSocket);
  }

  @Override
  public void configure(DatagramChannel channel, DatagramSocketOptions options) {
    delegate.configure(channel, options);
  }

  @Override
  public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, connectTimeout, domainSocket, bootstrap);
  }

  @Override
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
    dropRedundantChildOptions(bootstrap);
    CONFIGURED.set(bootstrap);
  }

  /**
   * Vert.x sets TCP_NODELAY, SO_KEEPALIVE and TCP_CORK on every accepted socket, a system call each. A new socket
   * already has what it asks for when it asks TCP_NODELAY on (Netty's socket configs turn it on when they are made)
   * or keep-alive and cork off (the kernel's default, and the listener sets neither for its children to inherit),
   * so those settings are dropped. TCP_QUICKACK off is kept: unlike the kernel's default it starts the connection
   * in delayed-ACK mode.
   */
  static void dropRedundantChildOptions(ServerBootstrap bootstrap) {
    for (Map.Entry<ChannelOption<?>, Object> option : bootstrap.config().childOptions().entrySet()) {
      if (isAlreadySet(option.getKey().name(), option.getValue())) {
        bootstrap.childOption(option.getKey(), null);
      }
    }
  }

  private static boolean isAlreadySet(String name, Object value) {
    String setting = name.substring(name.lastIndexOf('#') + 1);
    return switch (setting) {
      case "TCP_NODELAY" -> Boolean.TRUE.equals(value) && PlatformDependent.canEnableTcpNoDelayByDefault();
      case "SO_KEEPALIVE", "TCP_CORK" -> Boolean.FALSE.equals(value);
      default -> false;
    };
  }
}
