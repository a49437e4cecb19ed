package io.sidecar.proxy;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code server.max_connections}: client connections open at once over all listeners, as Envoy's {@code
 * global_downstream_max_connections}. One more is closed as soon as it is accepted, which tells its client at once to
 * go elsewhere, rather than letting it wait in the kernel's backlog. Without a limit, a flood of clients used up the
 * process's file descriptors: accepting then failed for everyone, and so did new upstream connections for the
 * clients already served. The admin API's connections are not counted, so it stays reachable.
 */
final class ConnectionLimit {
  /** The part of the file-descriptor limit {@code auto} gives to client connections. */
  private static final int AUTO_PERCENT = 75;
  private static final int AUTO_MINIMUM = 64;

  private final AtomicInteger open = new AtomicInteger();
  /** 0 until {@link #setOnce}: no limit. */
  private final AtomicInteger max = new AtomicInteger();

  /**
   * The limit for {@code configured} ({@code 0}: {@code auto}) in a process allowed {@code fdLimit} file descriptors
   * ({@code <= 0}: unknown, then there is none).
   */
  static int resolve(int configured, long fdLimit) {
    if (configured > 0) return configured;
    if (fdLimit <= 0) return Integer.MAX_VALUE;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(AUTO_MINIMUM, fdLimit * AUTO_PERCENT / 100));
  }

  /** This process's file-descriptor limit, or -1 where the JVM does not tell it. */
  static long processFdLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount() : -1;
  }

  /**
   * Sets the limit, unless it is set already: it is read when the sidecar starts, so a listener a reload adds does
   * not change it (a changed {@code server.max_connections} waits for a restart, as the reload says).
   */
  void setOnce(int limit) {
    max.compareAndSet(0, limit);
  }

  /** A connection was accepted: whether it may stay open (then {@link #closed} must follow its close). */
  boolean tryOpen() {
    int now = open.incrementAndGet();
    int limit = max.get();
    if (limit <= 0 || now <= limit) return true;
    open.decrementAndGet();
    return false;
  }

  void closed() {
    open.decrementAndGet();
  }
}
