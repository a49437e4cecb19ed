package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.sidecar.config.ServerSpec;
import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

class SocketTransportTest {

  @Test
  void autoTakesEpollElseNioButNeverIoUring() {
    Transport expected = Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
    assertThat(SocketTransport.choose(ServerSpec.Transport.AUTO)).isSameAs(expected);
    assertThat(SocketTransport.choose(ServerSpec.Transport.NIO)).isSameAs(Transport.NIO);
  }

  @Test
  void aNamedNativeTransportIsTakenWhenTheKernelOffersIt() {
    assumeThat(Transport.IO_URING.available()).as("io_uring on this kernel").isTrue();
    assertThat(SocketTransport.choose(ServerSpec.Transport.IO_URING)).isSameAs(Transport.IO_URING);
  }

  @Test
  void anUnavailableTransportFailsTheStartWithTheReason() {
    assertThatThrownBy(() -> SocketTransport.require("kqueue", Transport.KQUEUE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("server.transport: kqueue is not available here");
    Transport refused = new Transport() {
      @Override public String name() { return "io_uring"; }
      @Override public boolean available() { return false; }
      @Override public Throwable unavailabilityCause() { return new UnsupportedOperationException("io_uring_setup: EPERM"); }
      @Override public io.vertx.core.spi.transport.Transport implementation() { return null; }
    };
    assertThatThrownBy(() -> SocketTransport.require("io_uring", refused))
        .hasMessage("server.transport: io_uring is not available here: "
            + "java.lang.UnsupportedOperationException: io_uring_setup: EPERM");
  }
}
