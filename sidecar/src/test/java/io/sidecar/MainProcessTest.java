package io.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import io.sidecar.proxy.tls.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as users run it: validate output and exit codes; SIGTERM drains and exits 0. */
class MainProcessTest {
  @TempDir Path dir;

  @Test
  void validatePrintsOkOrEveryErrorWithPathAndLine() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, """
        listeners: [ { name: in, address: "127.0.0.1:15001" } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:8080" ] } ]
        """);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"validate", "--config", good.toString()}, new PrintStream(out, true), System.err);
    assertThat(code).isZero();
    assertThat(out.toString()).startsWith("OK");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        listeners: [ { name: in, address: "127.0.0.1:15001" } ]
        routes: [ { name: r, cluster: c, timeout: soon } ]
        clusters:
          - name: c
            endpoints:
              - { address: "127.0.0.1:8080" }
              - { address: "127.0.0.1:65536" }
        """);
    out.reset();
    code = Main.run(new String[] {"validate", "--config", bad.toString()}, new PrintStream(out, true), System.err);
    assertThat(code).isEqualTo(1);
    assertThat(out.toString().lines()).containsExactlyInAnyOrder(
        "clusters[0].endpoints[1].address.port (line 7): must be 1..65535, got 65536",
        "routes[0].timeout (line 2): 'soon' is not a duration (use a unit: 250ms, 2s, 5m, 1h)");
  }

  @Test
  void validateLoadsTlsFilesAndRefusesAKeyThatIsNotTheCertificates() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair b = TestCertificates.rsa(dir, "b-", "b");
    Path config = dir.resolve("tls.yaml");
    Files.writeString(config, """
        listeners:
          - name: in
            address: "127.0.0.1:15001"
            tls: { cert: %s, key: %s }
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:8080" ] } ]
        """.formatted(a.cert(), b.key()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"validate", "--config", config.toString()}, new PrintStream(out, true), System.err);
    assertThat(code).isEqualTo(1);
    assertThat(out.toString().lines()).containsExactly("listeners[0].tls.key (line 4): does not match the certificate (CN=a)");
  }

  @Test
  void nettyDefaultsApplyUnlessTheUserSetsThem() {
    List<String> names = List.of("io.netty.jfr.enabled", "io.netty.allocator.lowMemory");
    Map<String, String> before = new HashMap<>();
    names.forEach(n -> before.put(n, System.getProperty(n)));
    try {
      names.forEach(System::clearProperty);
      Main.nettyDefaults();
      assertThat(System.getProperty("io.netty.jfr.enabled")).isEqualTo("false");
      assertThat(System.getProperty("io.netty.allocator.lowMemory")).isEqualTo("false");
      names.forEach(n -> System.setProperty(n, "true"));
      Main.nettyDefaults();
      names.forEach(n -> assertThat(System.getProperty(n)).isEqualTo("true"));
    } finally {
      before.forEach((n, v) -> {
        if (v == null) System.clearProperty(n);
        else System.setProperty(n, v);
      });
    }
  }

  @Test
  void nettysAllocatorKeepsItsPerLoopCachesUnderTheSidecarsSmallHeap() throws Exception {
    // -Xmx160m as bin/sidecar runs it: Netty would pick its low-memory mode for any heap up to 512 MiB
    assertThat(allocatorLowMemoryMode("-Xmx160m")).isEqualTo("false");
    assertThat(allocatorLowMemoryMode("-Xmx160m", "-Dio.netty.allocator.lowMemory=true")).isEqualTo("true");
  }

  private static String allocatorLowMemoryMode(String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyAllocatorModeProbe.class.getName()));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void replayRunsTheDetectorOverEveryRow() throws Exception {
    Path in = dir.resolve("in.csv");
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 400; i++) csv.append(1_700_000_000L + 60L * i).append(',').append(i == 300 ? 500 : 100 + i % 7).append('\n');
    Files.writeString(in, csv.toString());
    Path out = dir.resolve("out.csv");
    int code = Main.run(new String[] {"replay", "anomalies", "--input", in.toString(), "--output", out.toString()},
        System.out, System.err);
    assertThat(code).isZero();
    java.util.List<String> rows = Files.readAllLines(out);
    assertThat(rows.get(0)).isEqualTo("timestamp,value,anomaly_score,alert");
    assertThat(rows).hasSize(401);
    assertThat(rows.get(301)).endsWith(",1");

    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "timestamp,value\n1,2\nnot-a-row\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    code = Main.run(new String[] {"replay", "forecast", "--input", bad.toString(), "--horizon", "3", "--output",
        dir.resolve("f.csv").toString()}, System.out, new PrintStream(err, true));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("line 3");
  }

  @Test
  void theWarmUpRunServesThroughEveryStageAndStops() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(Main.run(new String[] {"warmup"}, new PrintStream(out, true), System.err)).isZero();
    assertThat(out.toString()).contains("warm-up done");
  }

  @Test
  void everyShippedExampleValidates() throws Exception {
    try (var files = Files.list(Path.of("../config/examples"))) {
      var examples = files.filter(f -> f.toString().endsWith(".yaml")).toList();
      assertThat(examples).hasSizeGreaterThanOrEqualTo(3);
      for (Path example : examples) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"validate", "--config", example.toString()}, new PrintStream(out, true), System.err);
        assertThat(out.toString()).as(example.toString()).isEqualTo("OK\n");
        assertThat(code).isZero();
      }
    }
  }

  @Test
  void runWithAnInvalidConfigExitsNonZeroPrintingTheErrors() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "listeners: []\n");
    Process p = java("run", "--config", bad.toString());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("listeners (line 1): at least one listener is required");
  }

  @Test
  void sigtermLetsTheRequestInFlightFinishAndExitsZero() throws Exception {
    HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    slow.createContext("/", exchange -> {
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "done".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    slow.start();
    int proxyPort = freePort();
    int adminPort = freePort();
    Path config = oneRouteConfig("run.yaml", adminPort, proxyPort, "10s", slow.getAddress().getPort());
    Process p = java("run", "--config", config.toString());
    try {
      waitForPort(adminPort);
      CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> rawGet(proxyPort));
      Thread.sleep(500);
      p.destroy(); // SIGTERM
      Thread.sleep(200);
      // the admin API stays up while the listeners drain: a probe on a new connection hears why
      assertThat(rawGet(adminPort, "/readyz")).startsWith("HTTP/1.1 503").contains("\"draining\"");
      assertThat(reply.get(20, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200").endsWith("done");
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
      slow.stop(0);
    }
  }

  /**
   * Out of file descriptors (more clients than {@code ulimit -n}), the sidecar keeps serving the connections it has,
   * and once clients leave it accepts again. The first log line of the process used to be the accept failure's, and
   * formatting it loaded the JDK's time-zone file, which could not be opened: the error killed both event loops.
   */
  @Test
  void runningOutOfFileDescriptorsLeavesTheEventLoopsServing() throws Exception {
    HttpServer upstream = okUpstream();
    int proxyPort = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("fds.yaml");
    // a limit above the file descriptors: accepting itself fails (server.max_connections: auto stays below them)
    Files.writeString(config, """
        admin: { address: "127.0.0.1:%d" }
        server: { max_connections: 100000 }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(adminPort, proxyPort, upstream.getAddress().getPort()));
    int fdLimit = 400;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$0\" \"$@\"", java,
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<Socket> flood = new ArrayList<>();
    waitForPort(adminPort);
    try (Socket kept = new Socket("127.0.0.1", proxyPort)) {
      kept.setSoTimeout(5_000);
      assertThat(exchange(kept)).startsWith("HTTP/1.1 200");
      for (int i = 0; i < fdLimit + 100; i++) flood.add(new Socket("127.0.0.1", proxyPort)); // the kernel's backlog takes them
      Thread.sleep(1_500);
      assertThat(exchange(kept)).as("a connection it has is served").startsWith("HTTP/1.1 200");
      for (Socket s : flood) s.close();
      flood.clear();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      String fresh = null;
      while (fresh == null && System.nanoTime() < deadline) {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
          s.setSoTimeout(2_000);
          fresh = exchange(s);
        } catch (java.io.IOException e) {
          Thread.sleep(200); // the kernel's backlog still holds the flood's connections, now closed
        }
      }
      assertThat(fresh).as("a new connection is served once the flood has gone").startsWith("HTTP/1.1 200");
      assertThat(p.isAlive()).isTrue();
    } finally {
      for (Socket s : flood) s.close();
      p.destroyForcibly();
      upstream.stop(0);
    }
  }

  /** One keep-alive GET on {@code s}: the response's head and body (2 bytes). */
  private static String exchange(Socket s) throws java.io.IOException {
    s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    while (!got.toString().endsWith("\r\n\r\nok")) {
      int b = in.read();
      if (b < 0) break;
      got.append((char) b);
    }
    return got.toString();
  }

  /**
   * SIGHUP reloads the file, as with nginx and HAProxy, and a config that does not validate is rejected while the
   * previous one keeps serving; the process stays. The JVM's own handler used to end it at once, without a drain.
   */
  @Test
  void sighupReloadsTheConfigAndTheProcessStays() throws Exception {
    HttpServer upstream = okUpstream();
    int proxyPort = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("hup.yaml");
    String yaml = """
        admin: { address: "127.0.0.1:%d" }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, match: { path_prefix: /%s/ }, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:%d" ] } ]
        """;
    Files.writeString(config, yaml.formatted(adminPort, proxyPort, "one", upstream.getAddress().getPort()));
    Path out = dir.resolve("hup.out");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "run", "--config", config.toString())
        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      waitForPort(adminPort);
      assertThat(rawGet(proxyPort, "/one/x")).startsWith("HTTP/1.1 200");
      Files.writeString(config, yaml.formatted(adminPort, proxyPort, "two", upstream.getAddress().getPort()));
      hangUp(p);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!Files.readString(out).contains("(SIGHUP)") && System.nanoTime() < deadline) Thread.sleep(50);
      assertThat(Files.readString(out)).contains("config: reloaded").contains("(SIGHUP)");
      assertThat(rawGet(proxyPort, "/two/x")).startsWith("HTTP/1.1 200");
      Files.writeString(config, "listeners: [ oops");
      hangUp(p);
      Thread.sleep(1_000);
      assertThat(p.isAlive()).isTrue();
      assertThat(rawGet(proxyPort, "/two/x")).as("the previous config serves on").startsWith("HTTP/1.1 200");
    } finally {
      p.destroyForcibly();
      upstream.stop(0);
    }
  }

  /**
   * The classes the shutdown needs first cannot be loaded, as when the jar is replaced in place under the running JVM
   * (cp over it, not mv): the process still ends, not with 0, and its ports are free. The main thread died of the
   * error and Vert.x's threads lived on with the ports bound, so the process never ended and a restart found its port
   * taken. Vert.x's classes run from a private copy here, deleted before the SIGTERM.
   */
  @Test
  void classesMissingAtShutdownStillEndTheProcessAndFreeItsPorts() throws Exception {
    HttpServer upstream = okUpstream();
    int proxyPort = freePort();
    int adminPort = freePort();
    Path config = oneRouteConfig("fatal.yaml", adminPort, proxyPort, "1s", upstream.getAddress().getPort());
    Path vertxClasses = dir.resolve("vertx-core-classes");
    List<String> classPath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      boolean vertxCore = hasEntry(Path.of(entry), "io/vertx/core/impl/VertxImpl.class");
      if (vertxCore) copyClasses(Path.of(entry), vertxClasses);
      classPath.add(vertxCore ? vertxClasses.toString() : entry);
    }
    assertThat(vertxClasses).isDirectory();
    Path err = dir.resolve("fatal.err");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-cp", String.join(java.io.File.pathSeparator, classPath),
        Main.class.getName(), "run", "--config", config.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
    try {
      waitForPort(adminPort);
      assertThat(rawGet(proxyPort)).startsWith("HTTP/1.1 200");
      try (var files = Files.walk(vertxClasses)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(25, TimeUnit.SECONDS)).as("the process ended").isTrue();
      assertThat(p.exitValue()).isNotZero();
      assertThat(Files.readString(err)).containsAnyOf("fatal: java.lang.NoClassDefFoundError", "shutdown: not done");
      try (java.net.ServerSocket again = new java.net.ServerSocket()) {
        again.bind(new InetSocketAddress("127.0.0.1", proxyPort)); // the port is free for the next process
      }
    } finally {
      p.destroyForcibly();
      upstream.stop(0);
    }
  }

  /** A config file: the admin API, one listener, one route to one endpoint, {@code shutdown_grace}. */
  private Path oneRouteConfig(String name, int adminPort, int proxyPort, String shutdownGrace, int upstreamPort)
      throws java.io.IOException {
    Path config = dir.resolve(name);
    Files.writeString(config, """
        admin: { address: "127.0.0.1:%d" }
        server: { shutdown_grace: %s }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, cluster: c } ]
        clusters: [ { name: c, endpoints: [ "127.0.0.1:%d" ] } ]
        """.formatted(adminPort, shutdownGrace, proxyPort, upstreamPort));
    return config;
  }

  private static boolean hasEntry(Path classPathEntry, String name) throws java.io.IOException {
    if (Files.isDirectory(classPathEntry)) return Files.exists(classPathEntry.resolve(name));
    if (!Files.isRegularFile(classPathEntry)) return false;
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(classPathEntry.toFile())) {
      return jar.getEntry(name) != null;
    }
  }

  /** The classes of a class path entry (a directory or a jar) as files under {@code target}. */
  private static void copyClasses(Path classPathEntry, Path target) throws java.io.IOException {
    if (Files.isDirectory(classPathEntry)) {
      try (var files = Files.walk(classPathEntry)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path to = target.resolve(classPathEntry.relativize(f).toString());
          if (Files.isDirectory(f)) Files.createDirectories(to);
          else Files.copy(f, to);
        }
      }
      return;
    }
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(classPathEntry.toFile())) {
      for (var e : java.util.Collections.list(jar.entries())) {
        Path to = target.resolve(e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(to);
        } else {
          Files.createDirectories(to.getParent());
          try (InputStream in = jar.getInputStream(e)) {
            Files.copy(in, to);
          }
        }
      }
    }
  }

  /** An upstream answering "ok" to everything, on a free loopback port. */
  private static HttpServer okUpstream() throws java.io.IOException {
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", exchange -> {
      byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    upstream.start();
    return upstream;
  }

  private static void hangUp(Process p) throws Exception {
    assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
  }

  private static String rawGet(int port, String path) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rawGet(int port) {
    return rawGet(port, "/x");
  }

  private static void waitForPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (Exception e) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("port " + port + " never opened");
  }

  private static Process java(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String[] command = new String[args.length + 4];
    command[0] = java;
    command[1] = "-cp";
    command[2] = System.getProperty("java.class.path");
    command[3] = Main.class.getName();
    System.arraycopy(args, 0, command, 4, args.length);
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  static int freePort() {
    return SidecarTest.freePort();
  }
}
