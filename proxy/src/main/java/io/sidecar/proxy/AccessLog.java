package io.sidecar.proxy;

import io.vertx.core.http.HttpServerRequest;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * JSON-lines access log written by one background thread, so event loops never block on I/O. When the queue is
 * full, lines are dropped and counted rather than slowing requests down.
 */
public final class AccessLog implements AutoCloseable {
  private static final String STOP = "";
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(65_536);
  private final LongAdder dropped = new LongAdder();
  private final Thread writer;
  private final OutputStream out;

  private AccessLog(OutputStream out) {
    this.out = out;
    this.writer = new Thread(this::drain, "access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** "off" (null result), "stdout", or a file path to append to. */
  public static AccessLog open(String target) throws IOException {
    if (target == null || target.equals("off")) return null;
    if (target.equals("stdout")) return new AccessLog(new PrintStream(System.out, false, StandardCharsets.UTF_8));
    return new AccessLog(new FileOutputStream(target, true));
  }

  public long dropped() {
    return dropped.sum();
  }

  /** One line for a finished request; {@code route}, {@code cluster} and {@code upstream} are null where none was. */
  public void log(HttpServerRequest request, String route, String cluster, String upstream, int status,
                  ResponseFlag flag, long durationNanos, long bytesOut) {
    log(request.getHeader(RequestIds.HEADER), request.method().name(), request.path(), route, cluster, upstream, status,
        flag, durationNanos, bytesOut, request.remoteAddress() == null ? null : request.remoteAddress().hostAddress());
  }

  /**
   * The same line from the byte-level path, which has no Vert.x request: {@code path} raw, without the query, as
   * Vert.x's {@code path()}; {@code remote} the client's IP; {@code bytesOut} the response body's bytes.
   */
  void log(String requestId, String method, String path, String route, String cluster, String upstream, int status,
           ResponseFlag flag, long durationNanos, long bytesOut, String remote) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"ts\":\"").append(java.time.Instant.now()).append('"');
    field(b, "request_id", requestId);
    field(b, "method", method);
    field(b, "path", path);
    field(b, "route", route);
    field(b, "cluster", cluster);
    field(b, "upstream", upstream);
    b.append(",\"status\":").append(status);
    field(b, "flags", flag.code());
    b.append(",\"duration_ms\":").append(durationNanos / 1_000_000.0);
    b.append(",\"bytes_out\":").append(bytesOut);
    field(b, "remote", remote);
    b.append("}\n");
    if (!queue.offer(b.toString())) dropped.increment();
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    b.append('"');
  }

  private void drain() {
    try {
      while (true) {
        String line = queue.take();
        if (line == STOP) break;
        out.write(line.getBytes(StandardCharsets.UTF_8));
        if (queue.isEmpty()) out.flush();
      }
      out.flush();
    } catch (InterruptedException | IOException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    queue.offer(STOP);
    writer.join(2000);
  }
}
