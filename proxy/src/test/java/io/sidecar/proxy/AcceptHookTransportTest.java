package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What Vert.x would set on every accepted socket, and which of it the sidecar's transport leaves out. */
class AcceptHookTransportTest {

  private static Set<ChannelOption<?>> childOptionsAfterDrop(NetServerOptions options) {
    assumeThat(Transport.EPOLL.available()).as("epoll on this kernel").isTrue();
    ServerBootstrap bootstrap = new ServerBootstrap();
    Transport.EPOLL.implementation().configure(options, false, bootstrap);
    AcceptHookTransport.dropRedundantChildOptions(bootstrap);
    return bootstrap.config().childOptions().keySet();
  }

  @Test
  void settingsANewSocketAlreadyHasAreNotMadeAgain() {
    Set<ChannelOption<?>> left = childOptionsAfterDrop(new NetServerOptions().setTcpNoDelay(true));
    assertThat(left).doesNotContain(ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE, EpollChannelOption.TCP_CORK)
        .as("quick-ACK off changes the kernel's behaviour, so it is still set").contains(EpollChannelOption.TCP_QUICKACK);
  }

  @Test
  void settingsThatChangeSomethingAreKept() {
    Set<ChannelOption<?>> left = childOptionsAfterDrop(new NetServerOptions()
        .setTcpNoDelay(false).setTcpKeepAlive(true).setTcpCork(true).setSendBufferSize(65536));
    assertThat(left).contains(ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE, EpollChannelOption.TCP_CORK,
        EpollChannelOption.TCP_QUICKACK, ChannelOption.SO_SNDBUF);
  }
}
