package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.reuse_port}: each listener instance accepts on a socket of its own next to Vert.x's, every connection
 * is served whichever socket took it, and the sockets go when the listener does. Listening sockets are counted in
 * the kernel's own table ({@code /proc/net/tcp6}, {@code /proc/net/tcp}), so this runs on Linux with a native
 * transport.
 */
class ReusePortListenerTest {
  private static final String YAML = """
      server: { reuse_port: %s }
      listeners: [ { name: in, address: "127.0.0.1:%d" %s } ]
      routes: [ { name: r, cluster: app } ]
      clusters: [ { name: app, endpoints: [ "127.0.0.1:%d" ] } ]
      """;

  private ProxyHarness h;
  private int upstream;

  @BeforeEach
  void setUp() {
    h = new ProxyHarness();
    assumeTrue(h.vertx.isNativeTransportEnabled(), "SO_REUSEPORT needs a native transport");
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "counts sockets in Linux's /proc/net/tcp");
    upstream = h.upstream(req -> req.response().end("ok"));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private String config(boolean reusePort, int port, String listenerExtras) {
    return YAML.formatted(reusePort, port, listenerExtras, upstream);
  }

  @Test
  void eachListenerInstanceAcceptsOnASocketOfItsOwnAndEveryConnectionIsServed() throws Exception {
    int port = ProxyHarness.freePort();
    h.start(1, config(true, port, ""));
    assertThat(listeningSockets(port)).as("Vert.x's and one per instance (2)").isEqualTo(3);

    int connections = 300;
    for (int i = 0; i < connections; i++) {
      assertThat(getOnNewConnection(port)).startsWith("HTTP/1.1 200").endsWith("ok");
    }
    assertThat(h.registry.get("sidecar_downstream_connections").tag("listener", "in").counter().count())
        .as("every socket's connections are counted and set up at accept").isEqualTo(connections);
  }

  @Test
  void withReusePortOffTheListenerHasOneSocket() throws Exception {
    int port = ProxyHarness.freePort();
    h.start(1, config(false, port, ""));
    assertThat(listeningSockets(port)).isEqualTo(1);
    assertThat(getOnNewConnection(port)).startsWith("HTTP/1.1 200");
  }

  @Test
  void aPortHeldByASocketWithoutReusePortIsStillRefused() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> h.start(1, config(true, taken.getLocalPort(), "")))
          .hasStackTraceContaining("Address already in use");
    }
  }

  @Test
  void aListenerChangedInPlaceKeepsOneSetOfSocketsAndAMovedOneFreesItsPort() throws Exception {
    int port = ProxyHarness.freePort();
    h.start(1, config(true, port, ""));
    h.start(2, config(true, port, ", h2c: false"));
    assertThat(listeningSockets(port)).as("the old instances' sockets closed before the new ones bound").isEqualTo(3);
    assertThat(getOnNewConnection(port)).startsWith("HTTP/1.1 200");

    int moved = ProxyHarness.freePort();
    h.start(3, config(true, moved, ", h2c: false"));
    assertThat(getOnNewConnection(moved)).startsWith("HTTP/1.1 200");
    assertThat(listeningSockets(port)).isZero();
    try (ServerSocket anyone = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThat(anyone.getLocalPort()).as("a socket without SO_REUSEPORT can take the old port").isEqualTo(port);
    }
  }

  @Test
  void shutdownClosesEverySocket() throws Exception {
    int port = ProxyHarness.freePort();
    h.start(1, config(true, port, ""));
    h.close();
    assertThat(listeningSockets(port)).isZero();
    h = new ProxyHarness(); // for tearDown
  }

  /** One GET on a connection of its own, read to the end (the request asks to close). */
  private static String getOnNewConnection(int port) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Sockets in LISTEN state (st 0A) on {@code port}, IPv4 and IPv6 alike. */
  private static long listeningSockets(int port) throws IOException {
    String portHex = ":" + String.format(Locale.ROOT, "%04X", port);
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) continue;
      count += Files.readAllLines(path).stream().skip(1)
          .map(line -> line.trim().split("\\s+"))
          .filter(f -> f[1].endsWith(portHex) && f[3].equals("0A"))
          .count();
    }
    return count;
  }
}
