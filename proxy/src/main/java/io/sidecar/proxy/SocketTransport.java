package io.sidecar.proxy;

import io.sidecar.config.ServerSpec;
import io.vertx.core.transport.Transport;
import java.util.Arrays;
import java.util.List;

/** Chooses the Netty transport the event loops run on from {@code server.transport}. */
public final class SocketTransport {
  /**
   * Preference of {@code auto}: epoll, then NIO. io_uring is taken only when named. Under Netty 4.2.9 (Vert.x 5.0.7's
   * own) io_uring stalled a 100 MiB two-way stream through the proxy in about one run in three, and plain Vert.x
   * pipes failed with "Channel output shutdown" (IoUringStreamingCheck). The build now takes Netty 4.2.18, where
   * both pass (20 of 20 and 8 of 8 runs), but io_uring's gain is no longer clear: 8 alternating rounds at 1 KiB,
   * c=64 gave it a median of 1.09x epoll's rps (it won 6 of 8) with a higher median p99. Until it proves more, the
   * default stays on epoll, the transport Envoy, nginx and HAProxy use.
   */
  private static final List<Transport> AUTO_ORDER = Arrays.asList(Transport.EPOLL, Transport.NIO);

  private SocketTransport() {}

  /**
   * Runs Vert.x's transport probe now (it loads and tries every native transport the first time a transport is
   * named), so that a start-up can do it on a second thread while it reads its configuration.
   */
  public static void probe() {
    Transport.NIO.available();
  }

  /** The transport to use; throws with the kernel's or the JVM's reason when a named one is unavailable. */
  public static Transport choose(ServerSpec.Transport wanted) {
    return switch (wanted) {
      case AUTO -> AUTO_ORDER.stream().filter(t -> t != null && t.available()).findFirst().orElse(Transport.NIO);
      case IO_URING -> require("io_uring", Transport.IO_URING);
      case EPOLL -> require("epoll", Transport.EPOLL);
      case NIO -> Transport.NIO;
    };
  }

  /**
   * The transport for Vert.x to run on: {@code transport} with an accept hook, so that plain listeners give each
   * connection the byte-level path from its first byte ({@link EarlyFastPath}). Its name is {@code transport}'s.
   */
  public static Transport withAcceptHook(Transport transport) {
    return EarlyFastPath.wrap(transport);
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
