package io.sidecar.config;

import java.time.Duration;

/**
 * Process-wide data-plane settings (section {@code server:}; every field optional).
 *
 * @param maxHeaderSize      total request header bytes accepted (431 above)
 * @param maxRequestBody     request body bytes accepted (413 above)
 * @param shutdownGrace      how long in-flight requests may run on SIGTERM
 * @param accessLog          JSON access log: off, stdout or a file path
 * @param eventLoops         event-loop threads; 0 = one per core
 * @param transport          the socket transport the event loops use
 * @param fastPath           plain HTTP/1.1 listeners relay simple requests on routes without cache, faults, header
 *                           rules, retries or access log at the byte level (everything else takes the full path)
 * @param idleTimeout        a downstream connection with no byte either way for this long is closed (zero: never);
 *                           the default is Envoy's connection idle timeout, one hour
 * @param generateRequestId  a request without {@code x-request-id} gets a random one (UUID v4) on its way upstream,
 *                           as Envoy's {@code generate_request_id}; a client's own is always passed on unchanged
 * @param reusePort          on a native transport, each event loop accepts on a listening socket of its own
 *                           ({@code SO_REUSEPORT}, as nginx's {@code listen ... reuseport} and Envoy's
 *                           {@code enable_reuse_port}); another process of the same user that asks for the same
 *                           can then bind the port too, which {@code false} rules out
 * @param normalizePath      paths are routed, cached and sent upstream with dot segments resolved and escaped
 *                           unreserved characters decoded (RFC 3986 §5.2.4, §6.2.2.2; Envoy's {@code normalize_path})
 * @param requestHeaderTimeout an HTTP/1.x request head must arrive whole within this long of its first byte, a
 *                           connection's first one within this long of the accept (nginx's {@code
 *                           client_header_timeout}, 60 s; HAProxy's {@code timeout http-request}; Envoy's {@code
 *                           request_headers_timeout}); zero: no such limit, only {@code idleTimeout}
 * @param maxConnections     client connections open at once over all listeners; one more is closed as soon as it is
 *                           accepted (Envoy's {@code global_downstream_max_connections}); 0 = {@code auto}: three
 *                           quarters of the process's file-descriptor limit, the rest kept for upstream connections,
 *                           files and the admin API
 */
public record ServerSpec(int maxHeaderSize, long maxRequestBody, Duration shutdownGrace, String accessLog,
                         int eventLoops, Transport transport, boolean fastPath, Duration idleTimeout,
                         boolean generateRequestId, boolean reusePort, boolean normalizePath,
                         Duration requestHeaderTimeout, int maxConnections) {
  public static final int DEFAULT_MAX_HEADER_SIZE = 64 * 1024;
  public static final long DEFAULT_MAX_REQUEST_BODY = 100L * 1024 * 1024 * 1024;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
  public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(60);

  public static ServerSpec defaults() {
    return new ServerSpec(DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_REQUEST_BODY, DEFAULT_SHUTDOWN_GRACE, "off", 0, Transport.AUTO, true,
        DEFAULT_IDLE_TIMEOUT, true, true, true, DEFAULT_REQUEST_HEADER_TIMEOUT, 0);
  }

  /**
   * Socket transport. {@code auto} takes the best native one this kernel offers (io_uring, then epoll) and falls
   * back to the JDK's NIO; naming one that is unavailable fails the start with the kernel's reason.
   */
  public enum Transport { AUTO, IO_URING, EPOLL, NIO }
}
