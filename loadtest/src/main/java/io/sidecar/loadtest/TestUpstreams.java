package io.sidecar.loadtest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Loopback HTTP upstreams for the Gatling simulations (JDK {@code HttpServer}, no extra dependency).
 * Every response carries {@code x-upstream: <name>} and {@code cache-control: max-age=60}; the body size comes
 * from the path ({@link ResponseBodies}). A delayed upstream answers after its delay (fixed, or log-normal when
 * the spec has a sigma) from a scheduler, so a waiting response does not hold a worker thread and the upstream's
 * concurrency is not limited by its thread count.
 *
 * <pre>java -cp loadtest/target/classes io.sidecar.loadtest.TestUpstreams fast:27301 mid:27302 slow:27303:50 jittery:27304:20:0.3</pre>
 */
public final class TestUpstreams implements AutoCloseable {
  public static final String UPSTREAM_HEADER = "x-upstream";
  public static final int WORKER_THREADS = 16;

  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, daemon("upstream-worker"));
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(daemon("upstream-delay"));
  private final ResponseBodies bodies = new ResponseBodies();

  private TestUpstreams() {}

  /** Binds every upstream on 127.0.0.1; a port of 0 picks a free one (see {@link #ports()}). */
  public static TestUpstreams start(List<UpstreamSpec> specs) throws IOException {
    // The JDK server writes headers and body in separate writes; with Nagle on, the second write waits for the
    // peer's delayed ACK (about 40 ms on Linux) and every keep-alive response stalls. Read once by ServerConfig.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // Default 200: above that the JDK server closes idle keep-alive connections, and a proxy whose pool holds
    // more than 200 then reuses a closed one (resets, 502s that are the upstream's fault, not the proxy's).
    System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
    TestUpstreams upstreams = new TestUpstreams();
    try {
      for (UpstreamSpec spec : specs) {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), spec.port()), 1024);
        server.setExecutor(upstreams.workers);
        server.createContext("/", exchange -> upstreams.handle(spec, exchange));
        server.start();
        upstreams.servers.add(server);
      }
    } catch (IOException | RuntimeException e) {
      upstreams.close();
      throw e;
    }
    return upstreams;
  }

  public List<Integer> ports() {
    return servers.stream().map(s -> s.getAddress().getPort()).toList();
  }

  private void handle(UpstreamSpec spec, HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    long delayNanos = spec.sampleDelayNanos(ThreadLocalRandom.current());
    if (delayNanos == 0) {
      respond(spec, exchange);
    } else {
      delays.schedule(() -> workers.execute(() -> respondQuietly(spec, exchange)), delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void respondQuietly(UpstreamSpec spec, HttpExchange exchange) {
    try {
      respond(spec, exchange);
    } catch (IOException e) {
      exchange.close();
    }
  }

  private void respond(UpstreamSpec spec, HttpExchange exchange) throws IOException {
    byte[] body = bodies.forPath(exchange.getRequestURI().getRawPath());
    exchange.getResponseHeaders().set("content-type", "text/plain");
    exchange.getResponseHeaders().set("cache-control", "max-age=60");
    exchange.getResponseHeaders().set(UPSTREAM_HEADER, spec.name());
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(200, head ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!head) out.write(body);
    }
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
    delays.shutdownNow();
    workers.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  public static void main(String[] args) throws Exception {
    List<UpstreamSpec> specs = UpstreamSpec.parseAll(args);
    TestUpstreams upstreams = start(specs);
    Runtime.getRuntime().addShutdownHook(new Thread(upstreams::close));
    for (int i = 0; i < specs.size(); i++) {
      System.out.println("upstream " + specs.get(i).name() + " on 127.0.0.1:" + upstreams.ports().get(i)
          + " delay " + specs.get(i).delay().toMillis() + "ms"
          + (specs.get(i).sigma() > 0 ? " lognormal sigma " + specs.get(i).sigma() : ""));
    }
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
