package io.sidecar.fault;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;

/** A Vert.x instance on the transport the sidecar takes by default: io_uring when the kernel allows it. */
public final class TestVertx {
  private TestVertx() {}

  public static Vertx onProductionTransport() {
    Transport uring = Transport.IO_URING;
    return Vertx.builder().withTransport(uring != null && uring.available() ? uring : Transport.NIO).build();
  }
}
