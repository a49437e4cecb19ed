package io.sidecar.proxy;

import io.sidecar.proxy.RequestSmugglingTest.Recorded;
import io.sidecar.proxy.RequestSmugglingTest.RecordingUpstream;
import io.sidecar.proxy.RequestSmugglingTest.Row;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The HTTP/1.1 rows of {@link RequestSmugglingTest} through nginx and HAProxy as reverse proxies to the same
 * recording upstream, and through the sidecar (both paths), each row classified the same way for all of them:
 * <b>rejected</b> (a 4xx/5xx and nothing complete upstream), <b>normalised</b> (what reached the upstream is framed
 * one way only and the answers pair with the requests), <b>ambiguous</b> (a smuggled request reached the upstream, or
 * a request with two framings, a framing field spelled with '_', an empty field name or a control character in it,
 * or an answer that is not its request's), <b>no answer</b> (the proxy waits, e.g. for a declared body that never
 * comes). Prints a table per proxy and the rows where they differ. Off by default (needs nginx and haproxy on the
 * PATH; listens on 127.0.0.1:28610-28611):
 * {@code ./mvnw -B -o -pl proxy test -Dtest=RequestSmugglingPeersCheck -Dcheck.peers=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "check.peers", matches = "true")
class RequestSmugglingPeersCheck {
  private static final int NGINX_PORT = 28610;
  private static final int HAPROXY_PORT = 28611;
  private static final String NEXT = "GET /api/next HTTP/1.1\r\nHost: h\r\n\r\n";

  @Test
  void compare() throws Exception {
    Path dir = Files.createTempDirectory("smuggling-peers");
    Map<String, Map<String, String>> results = new LinkedHashMap<>();
    try (RecordingUpstream upstream = new RecordingUpstream()) {
      for (RequestSmugglingTest.Mode mode : RequestSmugglingTest.Mode.values()) {
        ProxyHarness h = new ProxyHarness();
        try {
          h.start(1, RequestSmugglingTest.config(mode, upstream.port()));
          results.put("sidecar " + mode, run(h.proxyPort, upstream));
        } finally {
          h.close();
        }
      }
      Process nginx = startNginx(dir, upstream.port());
      try {
        results.put("nginx " + version("nginx", "-v"), run(NGINX_PORT, upstream));
      } finally {
        stop(nginx);
      }
      Process haproxy = startHaproxy(dir, upstream.port());
      try {
        results.put("haproxy " + version("haproxy", "-v"), run(HAPROXY_PORT, upstream));
      } finally {
        stop(haproxy);
      }
    }
    print(results);
  }

  private static Map<String, String> run(int port, RecordingUpstream upstream) throws Exception {
    Map<String, String> outcomes = new LinkedHashMap<>();
    for (Row row : RequestSmugglingTest.rows()) {
      upstream.received.clear();
      outcomes.put(row.name(), classify(row, send(port, row), barrier(port, upstream)));
    }
    return outcomes;
  }

  /** The answers on the row's connection; a null entry ends the list when the proxy closed or stayed silent. */
  private static List<RawHttpClient.Response> send(int port, Row row) throws IOException {
    List<RawHttpClient.Response> responses = new ArrayList<>();
    try (RawHttpClient client = new RawHttpClient(port)) {
      client.write(row.sequential() ? row.payload() : row.payload() + NEXT);
      for (int i = 0; i < 2; i++) {
        RawHttpClient.Response r;
        try {
          r = client.readFinal();
        } catch (IOException e) {
          r = null; // a timeout (nothing came) or a close mid-answer
        }
        responses.add(r);
        if (r == null || r.status() >= 400 || r.status() == 101) break;
        if (row.sequential()) client.write(NEXT);
      }
    }
    return responses;
  }

  private static List<Recorded> barrier(int port, RecordingUpstream upstream) throws Exception {
    try (RawHttpClient client = new RawHttpClient(port)) {
      client.write("GET /api/barrier HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
      client.readFinal();
    }
    Thread.sleep(200); // a manual check: time for a smuggled request on another upstream connection to arrive
    List<Recorded> before = new ArrayList<>();
    for (Recorded r : upstream.received) {
      if (r.target().equals("/barrier")) break;
      before.add(r);
    }
    return before;
  }

  /** Rows whose /api/smuggled is a genuine pipelined request (behind a complete one), not bytes inside a body. */
  private static final java.util.Set<String> GENUINE_SECOND = java.util.Set.of("chunked body over the limit",
      "missing Host, then a pipelined request", "two Hosts, then a pipelined request");

  static String classify(Row row, List<RawHttpClient.Response> responses, List<Recorded> seen) {
    boolean genuine = GENUINE_SECOND.contains(row.name());
    List<Recorded> complete = seen.stream().filter(r -> !r.cutShort()).toList();
    String lenient = null;
    for (Recorded r : complete) {
      if (genuine && r.target().equals("/smuggled")) continue;
      String why = ambiguity(r);
      if (why != null && why.startsWith("passes")) lenient = why;
      else if (why != null) return "ambiguous: " + why;
    }
    RawHttpClient.Response first = responses.get(0);
    if (genuine && first != null && first.status() >= 400
        && complete.stream().anyMatch(r -> r.target().equals("/smuggled"))) {
      return "ambiguous: answered " + first.status() + " and still served the request behind it";
    }
    complete = complete.stream().filter(r -> !(genuine && r.target().equals("/smuggled"))).toList();
    if (first == null) return complete.isEmpty() ? "no answer" : "no answer, forwarded";
    if (first.status() >= 400) return complete.isEmpty() ? "rejected " + first.status() : "ambiguous: answered "
        + first.status() + " but forwarded " + complete.get(0).target();
    if (first.status() == 101) return "normalised (101)";
    if (complete.isEmpty()) return "ambiguous: answered " + first.status() + " but forwarded nothing";
    String firstAnswer = complete.get(0).method() + " " + complete.get(0).target() + " " + complete.get(0).body();
    if (!first.body().equals(firstAnswer)) return "ambiguous: answer is not its request's";
    if (responses.size() > 1 && responses.get(1) != null && !responses.get(1).body().equals("GET /next ")
        && !(genuine && responses.get(1).body().equals("GET /smuggled "))) {
      return "ambiguous: the pipelined request answered with " + responses.get(1).body();
    }
    return lenient == null ? "normalised" : "normalised, " + lenient;
  }

  /** Why a request the upstream got can be read two ways, or null. */
  private static String ambiguity(Recorded r) {
    if (r.target().contains("smuggled")) return "smuggled request reached the upstream";
    // RFC 9110 §5.5: CR, LF and NUL in a value must be refused or replaced; other CTLs are invalid but tolerated
    if (!r.anomalies().isEmpty() && r.anomalies().stream().allMatch(a -> a.startsWith("control character")
        && !a.startsWith("control character 0x00"))) {
      return "passes " + r.anomalies();
    }
    if (!r.anomalies().isEmpty()) return r.anomalies().toString();
    if (!r.all("transfer-encoding").isEmpty() && !r.all("content-length").isEmpty()) return "CL and TE upstream";
    if (r.all("content-length").size() > 1) return "two Content-Lengths upstream";
    if (!r.all("transfer_encoding").isEmpty() || !r.all("content_length").isEmpty()) return "underscored framing field upstream";
    if (r.all("host").size() > 1) return r.all("host").size() + " Hosts upstream";
    if (r.all("host").isEmpty()) return "passes no Host"; // RFC 9112 §3.2 (400 in HTTP/1.1), not a framing ambiguity
    if (r.target().chars().anyMatch(c -> c < 0x21 || c == 0x7f)) return "control character in the target upstream";
    return null;
  }

  private static void print(Map<String, Map<String, String>> results) {
    StringBuilder out = new StringBuilder("\n=== request smuggling corpus, HTTP/1.1 rows ===\n");
    for (var e : results.entrySet()) {
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (String o : e.getValue().values()) {
        String kind = o.startsWith("rejected") ? "rejected" : o.startsWith("normalised") ? "normalised"
            : o.startsWith("ambiguous") ? "ambiguous" : "no answer";
        counts.merge(kind, 1, Integer::sum);
      }
      out.append(String.format(Locale.ROOT, "%-34s %s%n", e.getKey(), counts));
    }
    out.append("\n--- per row (rows where the proxies differ in kind) ---\n");
    List<String> names = new ArrayList<>(results.values().iterator().next().keySet());
    for (String row : names) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-55s", row));
      java.util.Set<String> kinds = new java.util.HashSet<>();
      for (var e : results.entrySet()) {
        String o = e.getValue().get(row);
        kinds.add(o.split("[ :]")[0]);
        line.append(" | ").append(e.getKey().split(" ")[0]).append(": ").append(o);
      }
      if (kinds.size() > 1 || kinds.contains("ambiguous")) out.append(line).append('\n');
    }
    System.out.println(out);
  }

  // ---------------------------------------------------------------- the peers

  private static Process startNginx(Path dir, int upstreamPort) throws Exception {
    Path prefix = Files.createDirectories(dir.resolve("nginx"));
    Path conf = prefix.resolve("nginx.conf");
    Files.writeString(conf, """
        daemon off;
        worker_processes 1;
        user root;
        error_log %1$s/error.log;
        pid %1$s/nginx.pid;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;
          uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
          client_max_body_size 1k;
          upstream app { server 127.0.0.1:%2$d; keepalive 8; }
          server {
            listen 127.0.0.1:%3$d;
            location /api/ {
              proxy_pass http://app/;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_set_header Host $host;
            }
          }
        }
        """.formatted(prefix, upstreamPort, NGINX_PORT));
    return start(List.of("nginx", "-p", prefix.toString(), "-c", conf.toString()), dir.resolve("nginx.out"), NGINX_PORT);
  }

  private static Process startHaproxy(Path dir, int upstreamPort) throws Exception {
    Path conf = dir.resolve("haproxy.cfg");
    Files.writeString(conf, """
        global
          maxconn 256
        defaults
          mode http
          timeout connect 2s
          timeout client 10s
          timeout server 10s
          option http-keep-alive
        frontend fe
          bind 127.0.0.1:%2$d
          default_backend be
        backend be
          http-request replace-path /api/(.*) /\\1
          server up 127.0.0.1:%1$d
        """.formatted(upstreamPort, HAPROXY_PORT));
    return start(List.of("haproxy", "-db", "-f", conf.toString()), dir.resolve("haproxy.out"), HAPROXY_PORT);
  }

  private static Process start(List<String> command, Path output, int port) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return p;
      } catch (IOException notYet) {
        if (!p.isAlive()) throw new IllegalStateException(command + " exited: " + Files.readString(output));
        Thread.sleep(50);
      }
    }
    stop(p);
    throw new IllegalStateException(command + " did not listen on " + port);
  }

  /** Ends a process this check started, and its children (nginx's worker), by their ids. */
  private static void stop(Process p) throws InterruptedException {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static String version(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+\\.\\d+\\.\\d+)").matcher(text);
      return m.find() ? m.group(1) : "?";
    } catch (Exception e) {
      return "?";
    }
  }
}
