package io.sidecar.cache;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.UUID;

/** The local Redis of the machine (REDIS_HOST/REDIS_PORT) and private redis-server processes for tests. */
final class RedisSupport {

  private RedisSupport() {
  }

  static String sharedUri() {
    String host = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");
    String port = System.getenv().getOrDefault("REDIS_PORT", "6379");
    return "redis://" + host + ":" + port;
  }

  /** A key prefix no other test run uses. */
  static String uniquePrefix(String test) {
    return "test:cache:" + test + ":" + UUID.randomUUID() + ":";
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Starts {@code redis-server --port <port> --save ""} and waits until it accepts connections. */
  static Process startServer(int port) throws Exception {
    Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    p.destroyForcibly();
    throw new AssertionError("redis-server did not start on port " + port);
  }
}
