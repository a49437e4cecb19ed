package io.sidecar.proxy;

import io.sidecar.config.ServerSpec;
import io.vertx.core.transport.Transport;
import java.util.Arrays;
import java.util.List;

/** Chooses the Netty transport the event loops run on from {@code server.transport}. */
public final class SocketTransport {
  /**
   * Preference of {@code auto}: epoll, then NIO. io_uring is taken only when named: it batches the reads and
   * writes of a whole event-loop turn into one submission and took up to 30 % less CPU per request on the 1 KiB
   * pass-through benchmark, but under Netty 4.2.9's io_uring transport a 100 MiB request streamed through the
   * proxy to an echoing upstream stalls for good in about one run in three (ProxyIntegrationTest, run with
   * {@code -Dtest.transport=IO_URING}): both directions stop with the request fully sent and ~2 MB of it not yet
   * at the upstream. Under epoll the same test never stalled. Plain Vert.x pipes fail too on io_uring, with Netty's
   * "Channel output shutdown" on a response write (IoUringStreamingCheck, off by default, says when an upgrade
   * fixes it). A proxy that can hang a stream is not a default.
   */
  private static final List<Transport> AUTO_ORDER = Arrays.asList(Transport.EPOLL, Transport.NIO);

  private SocketTransport() {}

  /** The transport to use; throws with the kernel's or the JVM's reason when a named one is unavailable. */
  public static Transport choose(ServerSpec.Transport wanted) {
    return switch (wanted) {
      case AUTO -> AUTO_ORDER.stream().filter(t -> t != null && t.available()).findFirst().orElse(Transport.NIO);
      case IO_URING -> require("io_uring", Transport.IO_URING);
      case EPOLL -> require("epoll", Transport.EPOLL);
      case NIO -> Transport.NIO;
    };
  }

  /** {@code transport} is null when its Netty classes are not on the class path. */
  static Transport require(String name, Transport transport) {
    if (transport == null) {
      throw new IllegalStateException("server.transport: " + name + " is not available here: its Netty transport"
          + " is not on the class path");
    }
    if (!transport.available()) {
      Throwable cause = transport.unavailabilityCause();
      throw new IllegalStateException("server.transport: " + name + " is not available here"
          + (cause == null ? "" : ": " + cause), cause);
    }
    return transport;
  }
}
