package io.sidecar.fault;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;

/** A Vert.x instance on the transport the sidecar takes by default: epoll when the kernel offers it. */
public final class TestVertx {
  private TestVertx() {}

  public static Vertx onProductionTransport() {
    Transport epoll = Transport.EPOLL;
    return Vertx.builder().withTransport(epoll != null && epoll.available() ? epoll : Transport.NIO).build();
  }
}
