package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code server.access_log} on, HTTP/1.1 requests keep the byte-level path (they used to go to the full path,
 * every one of them), and each gets the line the full path writes: relayed, a cache hit, the sidecar's own failure.
 * Each scenario runs once per path; the lines must match but for the time, the duration and the upstream's port.
 */
class AccessLogPathsTest {
  /** What one run of {@link #scenario} logged, and how many requests the byte-level path served. */
  private record Run(List<JsonObject> lines, double fastPathRequests, List<String> idsUpstreamSaw) {}

  private static Run scenario(boolean fastPath) throws Exception {
    Path file = Files.createTempFile("access", ".log");
    ProxyHarness h = new ProxyHarness(AccessLog.open(file.toString()));
    List<String> idsUpstreamSaw = new ArrayList<>();
    double fastPathRequests;
    try {
      int upstream = h.upstream(req -> {
        synchronized (idsUpstreamSaw) {
          idsUpstreamSaw.add(req.getHeader("x-request-id"));
        }
        if (req.path().endsWith("/chunked")) { // two chunks: "hel", "lo"
          req.response().setChunked(true).write("hel");
          req.response().end("lo");
          return;
        }
        req.response().putHeader("cache-control", "max-age=60").end("hello");
      });
      int closedPort = ProxyHarness.freePort(); // nothing listens there: connect refused
      h.start(1, (fastPath ? "" : "server: { fast_path: false }\n") + """
          listeners: [ { name: in, address: "127.0.0.1:{PROXY}" } ]
          routes:
            - { name: cached, match: { path_prefix: /cached/ }, cluster: app, timeout: 2s,
                cache: { enabled: true, default_ttl: 60s } }
            - { name: down, match: { path_prefix: /down/ }, cluster: gone, timeout: 2s }
            - { name: api, match: { path_prefix: /api/ }, cluster: app, timeout: 2s }
          clusters:
            - { name: app, endpoints: [ "127.0.0.1:%d" ] }
            - { name: gone, endpoints: [ "127.0.0.1:%d" ], pool: { connect_timeout: 500ms } }
          """.formatted(upstream, closedPort));
      try (RawHttpClient client = new RawHttpClient(h.proxyPort)) {
        assertThat(client.exchange("GET /api/a?q=1 HTTP/1.1\r\nHost: a\r\nx-request-id: id-1\r\n\r\n").body())
            .isEqualTo("hello");
        assertThat(client.exchange("GET /api/b HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200); // id generated
        for (int i = 0; i < 2; i++) { // a miss, then a hit
          assertThat(client.exchange("GET /cached/c HTTP/1.1\r\nHost: a\r\nx-request-id: id-c" + i + "\r\n\r\n")
              .header("x-cache")).isEqualTo(i == 0 ? "MISS" : "HIT");
        }
        assertThat(client.exchange("GET /down/d HTTP/1.1\r\nHost: a\r\nx-request-id: id-d\r\n\r\n").status())
            .isEqualTo(503);
        assertThat(client.exchange("GET /nowhere HTTP/1.1\r\nHost: a\r\nx-request-id: id-n\r\n\r\n").status())
            .isEqualTo(404);
        assertThat(client.exchange("GET /api/chunked HTTP/1.1\r\nHost: a\r\nx-request-id: id-k\r\n\r\n").body())
            .isEqualTo("hello");
      }
      fastPathRequests = h.fastPathRequests();
    } finally {
      h.close();
      h.runtime.accessLog().close();
    }
    List<JsonObject> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file)) lines.add(new JsonObject(line));
    return new Run(lines, fastPathRequests, idsUpstreamSaw);
  }

  @Test
  void everyRequestGetsTheSameLineOnBothPaths() throws Exception {
    Run byteLevel = scenario(true);
    Run full = scenario(false);
    assertThat(byteLevel.fastPathRequests()).isEqualTo(5.0); // a, b, the hit, down, chunked; the miss, the 404 Vert.x's
    assertThat(full.fastPathRequests()).isZero();
    for (Run run : List.of(byteLevel, full)) {
      List<JsonObject> lines = run.lines();
      assertThat(lines).hasSize(7);
      JsonObject generated = lines.get(1);
      assertThat(generated.getString("request_id")).matches("[0-9a-f-]{36}")
          .isEqualTo(run.idsUpstreamSaw().get(1)); // the id the upstream got
      assertThat(lines.get(0).getString("upstream")).startsWith("127.0.0.1:");
      assertThat(lines.get(0).getString("remote")).isEqualTo("127.0.0.1");
      assertThat(lines.get(0).getLong("bytes_out")).isEqualTo(5L);
      assertThat(lines.get(4).getString("flags")).isEqualTo("UF");
      assertThat(lines.get(6).getLong("bytes_out")).as("the data of a chunked body, not its framing").isEqualTo(5L);
      for (JsonObject line : lines) {
        assertThat(line.getString("ts")).isNotBlank();
        assertThat(line.getDouble("duration_ms")).isGreaterThanOrEqualTo(0.0);
      }
    }
    for (int i = 0; i < 7; i++) {
      assertThat(comparable(byteLevel.lines().get(i), i)).as("line " + i)
          .isEqualTo(comparable(full.lines().get(i), i));
    }
  }

  /** A line without what differs between two runs: the time, the duration, the upstream's port, a generated id. */
  private static JsonObject comparable(JsonObject line, int index) {
    JsonObject copy = line.copy();
    copy.remove("ts");
    copy.remove("duration_ms");
    if (copy.getString("upstream") != null) copy.put("upstream", copy.getString("upstream").replaceAll(":\\d+$", ":port"));
    if (index == 1) copy.remove("request_id");
    return copy;
  }
}
