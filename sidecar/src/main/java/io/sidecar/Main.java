package io.sidecar;

import io.sidecar.config.ConfigException;
import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import io.sidecar.config.SidecarConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/** Command line: {@code run --config FILE}, {@code validate --config FILE}, {@code demo}. */
public final class Main {
  private Main() {}

  /** What shutting down may take beyond server.shutdown_grace: the admin API's close, caches, the predictor. */
  private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(10);

  /** Exit status after an error the process cannot go on from (sysexits.h's EX_SOFTWARE). */
  static final int FATAL = 70;

  public static void main(String[] args) {
    nettyDefaults();
    int code;
    try {
      code = run(args, System.out, System.err);
    } catch (Throwable fatal) {
      // Say, the jar replaced in place under the running JVM (cp over it, not mv): a class first needed to shut
      // down could not be loaded. The main thread died of it, Vert.x's threads lived on with the ports bound, and the
      // process never ended, so a restart found its port taken. halt, not exit: shutdown hooks may need classes too.
      System.err.println("fatal: " + fatal);
      Runtime.getRuntime().halt(FATAL);
      return;
    }
    if (code >= 0) System.exit(code);
  }

  /**
   * Netty settings the sidecar runs with unless the command line sets them ({@code -Dname=value} wins):
   * <ul>
   *   <li>{@code io.netty.jfr.enabled=false}: Netty 4.2 emits JFR events for buffer chunk allocation; the first one
   *       makes the JDK build its whole JFR metadata (reflection proxies, generated handlers), which cost about
   *       250 ms of the first proxied request on one pinned core. They are only of use to someone recording with JFR.
   *   <li>{@code io.netty.allocator.lowMemory=false}: the adaptive allocator goes into a low-memory mode when the
   *       heap limit is 512 MiB or less (it reads {@code Runtime.maxMemory()}, though the buffers are direct): one
   *       shared set of chunks behind a lock and buffers recycled through a shared queue, instead of a cache per
   *       event loop. The sidecar runs with a small heap and its buffers outside it (capped by
   *       {@code -XX:MaxDirectMemorySize}), so the mode only costs time: at c=64 the allocator's share of the
   *       samples fell from 10.4 % to 3.6 % without it, and the CPU per request by about 4 % (loadtest/README.md).
   * </ul>
   */
  static void nettyDefaults() {
    defaultProperty("io.netty.jfr.enabled", "false");
    defaultProperty("io.netty.allocator.lowMemory", "false");
  }

  private static void defaultProperty(String name, String value) {
    if (System.getProperty(name) == null) System.setProperty(name, value);
  }

  /** Returns the exit code, or -1 when a server was started and the process must keep running. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      usage(out);
      return args.length == 0 ? 2 : 0;
    }
    switch (args[0]) {
      case "validate":
        return validate(configArg(args, err), out, err);
      case "run":
        return serve(configArg(args, err), out, err);
      case "demo":
        return demo(out, err);
      case "warmup":
        return warmup(out, err);
      case "replay":
        return io.sidecar.predictor.replay.ReplayCli.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
      default:
        err.println("unknown command '" + args[0] + "'");
        usage(err);
        return 2;
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: sidecar run --config FILE      serve with FILE (reloaded when it changes)");
    out.println("       sidecar validate --config FILE print OK or every error with its path and line");
    out.println("       sidecar demo                   start with three demo upstreams and print URLs to try");
    out.println("       sidecar replay anomalies --input IN.csv --output OUT.csv [--threshold T]");
    out.println("       sidecar replay forecast --input IN.csv --horizon H --output OUT.csv");
  }

  private static Path configArg(String[] args, PrintStream err) {
    for (int i = 1; i < args.length - 1; i++) {
      if (args[i].equals("--config") || args[i].equals("-c")) return Path.of(args[i + 1]);
    }
    for (int i = 1; i < args.length; i++) {
      if (args[i].startsWith("--config=")) return Path.of(args[i].substring("--config=".length()));
    }
    return null;
  }

  static int validate(Path file, PrintStream out, PrintStream err) {
    if (file == null) {
      err.println("validate needs --config FILE");
      return 2;
    }
    try {
      SidecarConfig config = loader(EnvSubstitution.system()).load(file);
      out.println("OK");
      return 0;
    } catch (ConfigException e) {
      e.errors().forEach(out::println);
      return 1;
    }
  }

  private static int serve(Path file, PrintStream out, PrintStream err) {
    if (file == null) {
      err.println("run needs --config FILE");
      return 2;
    }
    return start(ConfigSource.file(file), loader(EnvSubstitution.system()), out, err, List.of());
  }

  private static int demo(PrintStream out, PrintStream err) {
    Vertx upstreamVertx = Vertx.vertx();
    DemoUpstreams demo;
    try {
      demo = DemoUpstreams.start(upstreamVertx).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      err.println("demo upstreams failed to start: " + e);
      return 1;
    }
    Map<String, String> ports = demo.ports();
    EnvSubstitution env = new EnvSubstitution(name -> ports.containsKey(name) ? ports.get(name) : System.getenv(name));
    List<String> lines = List.of(
        "demo upstreams: " + ports,
        "try:",
        "  curl -s http://127.0.0.1:15001/api/hello        # predictive balancing over fast / medium / slow",
        "  curl -s http://127.0.0.1:9901/clusters/demo     # predicted latency, traffic share, why an endpoint is avoided",
        "  curl -si http://127.0.0.1:15001/cached/hello    # cached route: x-cache MISS, then HIT",
        "  curl -s http://127.0.0.1:15001/split/hello      # 80 % fast, 20 % slow",
        "  curl -si http://127.0.0.1:15001/slow/hello      # 100ms route timeout: 504 with x-sidecar-flags: UT",
        "  curl -si http://127.0.0.1:15001/nowhere         # 404 with x-sidecar-flags: NR",
        "  curl -s -XPOST -H 'Authorization: Bearer demo-token' -d '{\"name\":\"f1\",\"route\":\"all\",\"percent\":50,\"abort\":{\"status\":503}}' http://127.0.0.1:9901/faults",
        "  curl -s -XPOST -H 'Authorization: Bearer demo-token' http://127.0.0.1:9901/faults/stop-all",
        "  curl -s http://127.0.0.1:9901/metrics | grep sidecar_requests",
        "  curl -s -XPOST -H 'Authorization: Bearer demo-token' http://127.0.0.1:9901/config/reload");
    return start(ConfigSource.text(demoConfig(), "embedded demo config"), loader(env), out, err, lines);
  }

  /**
   * Starts the demo on free loopback ports, sends a few requests through every stage and stops: the class-loading
   * run {@code bin/sidecar} records as an AppCDS archive, so later starts are ready well within a second.
   */
  static int warmup(PrintStream out, PrintStream err) {
    Vertx upstreamVertx = Vertx.vertx();
    try {
      DemoUpstreams demo = DemoUpstreams.start(upstreamVertx).toCompletionStage().toCompletableFuture().get();
      java.util.Map<String, String> vars = new java.util.HashMap<>(demo.ports());
      int listener = freePort();
      vars.put("SIDECAR_DEMO_ADDRESS", "127.0.0.1:" + listener);
      vars.put("SIDECAR_ADMIN_ADDRESS", "127.0.0.1:" + freePort());
      EnvSubstitution env = new EnvSubstitution(name -> vars.containsKey(name) ? vars.get(name) : System.getenv(name));
      Sidecar sidecar = Sidecar.start(ConfigSource.text(demoConfig(), "warm-up"), loader(env))
          .toCompletionStage().toCompletableFuture().get();
      // Plain HTTP/1.1 keep-alive first, as most callers send (the byte-level path: pass-through, cache hits), then
      // the JDK client's default, an h2c upgrade (Vert.x's HTTP/2). Classes only the first request of a start-up
      // would load otherwise are loaded, verified and linked on that request, in front of its caller.
      for (java.net.http.HttpClient.Version version : List.of(java.net.http.HttpClient.Version.HTTP_1_1,
          java.net.http.HttpClient.Version.HTTP_2)) {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(version).build();
        for (String path : List.of("/api/a", "/api/b", "/cached/c", "/cached/c", "/split/d", "/split/d", "/nowhere")) {
          client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + listener + path))
              .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        }
      }
      sidecar.shutdown().toCompletionStage().toCompletableFuture().get();
      out.println("warm-up done");
      return 0;
    } catch (Exception e) {
      err.println("warm-up failed: " + e);
      return 1;
    } finally {
      upstreamVertx.close();
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The loader with every module's own checks plugged in. */
  static ConfigLoader loader(EnvSubstitution env) {
    return new ConfigLoader(env, List.of(new FaultConfigCheck(), new io.sidecar.proxy.tls.TlsConfigCheck()));
  }

  static String demoConfig() {
    try (InputStream in = Main.class.getResourceAsStream("demo.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int start(ConfigSource source, ConfigLoader loader, PrintStream out, PrintStream err,
                           List<String> banner) {
    long startedAt = System.nanoTime();
    // Signals are taken over before anything binds, so a SIGTERM during start-up still drains and exits 0.
    CountDownLatch stopRequested = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> stopRequested.countDown());
    Signal.handle(new Signal("INT"), sig -> stopRequested.countDown());
    // SIGHUP reloads the file now, as it does nginx and HAProxy; the JVM's own handler would end the process at once,
    // without draining. One during start-up finds nothing to reload yet: the file is read as the start completes.
    java.util.concurrent.atomic.AtomicReference<Sidecar> running = new java.util.concurrent.atomic.AtomicReference<>();
    Signal.handle(new Signal("HUP"), sig -> {
      Sidecar started = running.get();
      if (started != null) started.reloadAndReport("SIGHUP");
    });
    Sidecar sidecar;
    try {
      sidecar = Sidecar.start(source, loader).toCompletionStage().toCompletableFuture().get();
      running.set(sidecar);
    } catch (ConfigException e) {
      err.println("invalid configuration " + source.describe() + ":");
      e.errors().forEach(x -> err.println("  " + x));
      return 1;
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      err.println("failed to start: " + cause);
      return 1;
    }
    SidecarConfig config = sidecar.store().current().config();
    out.printf("sidecar %s/%s ready in %d ms: %s; admin on %s; transport %s%n", config.service(), config.instance(),
        (System.nanoTime() - startedAt) / 1_000_000,
        config.listeners().stream().map(l -> l.name() + "=" + l.address()).toList(), config.admin().address(),
        sidecar.transport());
    if (config.toxiproxyApi() != null) {
      out.printf("toxiproxy API on %s (no token, as Toxiproxy: keep it on loopback)%n", config.toxiproxyApi().address());
    }
    banner.forEach(out::println);
    try {
      stopRequested.await();
      // bounded: a step that never completes (an error on an event loop) must not keep the process, and its ports
      Duration bound = sidecar.store().current().config().server().shutdownGrace().plus(SHUTDOWN_MARGIN);
      sidecar.shutdown().toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      err.println("shutdown: " + e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      err.println("shutdown: not done within server.shutdown_grace + " + SHUTDOWN_MARGIN.toSeconds() + " s; exiting");
      return 1;
    }
    out.println("sidecar stopped");
    return 0;
  }
}
