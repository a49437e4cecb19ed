package io.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.SeededRandom;
import io.sidecar.fault.tcp.TcpProxies;
import io.sidecar.fault.tcp.TcpProxy;
import io.sidecar.fault.tcp.TcpProxySpec;
import io.sidecar.fault.tcp.ToxicSpec;
import io.sidecar.fault.tcp.ToxicStream;
import io.sidecar.fault.tcp.ToxicType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Toxiproxy-compatible API through real HTTP calls, with an echo server behind the proxies it creates: every
 * endpoint, its status codes and error bodies, Toxiproxy's units, and toxics acting on real traffic.
 */
class ToxiproxyApiTest {

  private Vertx vertx;
  private NetServer echo;
  private TcpProxies proxies;
  private HttpServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  record Reply(int status, String body, String contentType) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    echo = vertx.createNetServer().connectHandler(s -> s.handler(s::write)).listen(0, "127.0.0.1")
        .await(30, TimeUnit.SECONDS);
    proxies = new TcpProxies(vertx, new SeededRandom(7), new InMemoryAuditLog(), Clock.systemUTC());
    server = vertx.createHttpServer().requestHandler(new ToxiproxyApi(() -> proxies).router(vertx))
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close().await(30, TimeUnit.SECONDS);
    proxies.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private Reply call(String method, String path, String body) throws Exception {
    return call(method, path, body, null);
  }

  private Reply call(String method, String path, String body, String userAgent) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (userAgent != null) b.header("User-Agent", userAgent);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().firstValue("content-type").orElse(""));
  }

  private String upstream() {
    return "127.0.0.1:" + echo.actualPort();
  }

  private JsonObject create(String name) throws Exception {
    Reply r = call("POST", "/proxies", new JsonObject().put("name", name).put("listen", "127.0.0.1:0")
        .put("upstream", upstream()).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  private static int port(JsonObject proxy) {
    String listen = proxy.getString("listen");
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  private static void assertError(Reply r, int status, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.json()).isEqualTo(new JsonObject().put("error", message).put("status", status));
  }

  /** Echoes {@code text} through the port; returns the milliseconds until the echo was complete. */
  private static long echoMillis(int port, String text) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      long t0 = System.nanoTime();
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] got = in.readNBytes(text.length());
      assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo(text);
      return (System.nanoTime() - t0) / 1_000_000;
    }
  }

  private static boolean refused(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      // A TCP self-connection: the kernel gave this socket the freed port itself as its source port, and it connected
      // to itself (simultaneous open). Nothing listens; it happens when loopback's ephemeral ports run short (after
      // a benchmark's connection-per-request run leaves tens of thousands in TIME_WAIT), as it did here.
      return s.getLocalPort() == port;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void versionAnswersLikeToxiproxy() throws Exception {
    Reply r = call("GET", "/version", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.json().getString("version")).isEqualTo(ToxiproxyApi.VERSION).startsWith("2.");
  }

  @Test
  void createShowListAndDeleteProxies() throws Exception {
    JsonObject created = create("echo");
    assertThat(created.getString("name")).isEqualTo("echo");
    assertThat(created.getString("upstream")).isEqualTo(upstream());
    assertThat(created.getBoolean("enabled")).isTrue();
    assertThat(created.getJsonArray("toxics")).isEmpty();
    assertThat(port(created)).isPositive();
    assertThat(echoMillis(port(created), "hello")).isLessThan(5000);

    assertError(call("POST", "/proxies", new JsonObject().put("name", "echo").put("upstream", upstream()).encode()),
        409, "proxy already exists");
    assertError(call("POST", "/proxies", new JsonObject().put("upstream", upstream()).encode()),
        400, "missing required field: name");
    assertError(call("POST", "/proxies", new JsonObject().put("name", "x").encode()),
        400, "missing required field: upstream");
    assertThat(call("POST", "/proxies", "{not json").status()).isEqualTo(400);
    assertThat(call("POST", "/proxies", null).json().getString("error")).startsWith("bad request body");
    assertThat(call("POST", "/proxies", "{\"name\":\"x\",\"upstream\":\"nohost\"}").status()).isEqualTo(400);

    create("other");
    Reply all = call("GET", "/proxies", null);
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.json().fieldNames()).containsExactlyInAnyOrder("echo", "other");
    assertThat(all.json().getJsonObject("echo")).isEqualTo(created);

    Reply one = call("GET", "/proxies/echo", null);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json()).isEqualTo(created);
    assertError(call("GET", "/proxies/nope", null), 404, "proxy not found");

    Reply deleted = call("DELETE", "/proxies/echo", null);
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();
    assertThat(refused(port(created))).isTrue();
    assertError(call("DELETE", "/proxies/echo", null), 404, "proxy not found");
    assertThat(proxies.get("echo")).isEmpty();
  }

  @Test
  void aProxyCreatedDisabledDoesNotListenUntilEnabled() throws Exception {
    Reply r = call("POST", "/proxies", new JsonObject().put("name", "off").put("listen", "127.0.0.1:0")
        .put("upstream", upstream()).put("enabled", false).encode());
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().getBoolean("enabled")).isFalse();
    assertThat(r.json().getString("listen")).isEqualTo("127.0.0.1:0"); // nothing bound yet
    Reply on = call("POST", "/proxies/off", "{\"enabled\": true}");
    assertThat(on.status()).as(on.body()).isEqualTo(200);
    assertThat(on.json().getBoolean("enabled")).isTrue();
    assertThat(port(on.json())).isPositive();
    assertThat(echoMillis(port(on.json()), "up")).isLessThan(5000);
  }

  @Test
  void enabledFalseRefusesConnectionsAndTrueAcceptsThemAgainOnTheSamePort() throws Exception {
    JsonObject p = create("echo");
    int port = port(p);
    try (Socket open = new Socket("127.0.0.1", port)) {
      open.setSoTimeout(10_000);
      open.getOutputStream().write('a');
      assertThat(open.getInputStream().read()).isEqualTo('a');

      Reply off = call("POST", "/proxies/echo", "{\"enabled\": false}");
      assertThat(off.status()).as(off.body()).isEqualTo(200);
      assertThat(off.json().getBoolean("enabled")).isFalse();
      assertThat(off.json().getString("listen")).isEqualTo(p.getString("listen"));
      // the open connection is closed, new ones are refused
      assertThat(open.getInputStream().read()).isEqualTo(-1);
      assertThat(refused(port)).isTrue();
    }
    Reply on = call("PATCH", "/proxies/echo", "{\"enabled\": true}");
    assertThat(on.status()).as(on.body()).isEqualTo(200);
    assertThat(on.json().getBoolean("enabled")).isTrue();
    assertThat(on.json().getString("listen")).isEqualTo(p.getString("listen"));
    assertThat(echoMillis(port, "again")).isLessThan(5000);
  }

  @Test
  void updatingListenOrUpstreamRestartsTheProxyAndKeepsItsToxics() throws Exception {
    JsonObject p = create("echo");
    assertThat(call("POST", "/proxies/echo/toxics",
        "{\"type\":\"latency\",\"attributes\":{\"latency\":150}}").status()).isEqualTo(200);
    // the body a Go client sends back (the whole proxy, toxics included) changes nothing
    Reply same = call("POST", "/proxies/echo", p.copy().put("toxics", new JsonArray()).encode());
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.json().getString("listen")).isEqualTo(p.getString("listen"));

    Reply moved = call("POST", "/proxies/echo", "{\"listen\": \"127.0.0.1:0\"}");
    assertThat(moved.status()).as(moved.body()).isEqualTo(200);
    int newPort = port(moved.json());
    assertThat(newPort).isNotEqualTo(port(p));
    assertThat(moved.json().getJsonArray("toxics")).hasSize(1);
    assertThat(refused(port(p))).isTrue();
    assertThat(echoMillis(newPort, "m")).isGreaterThanOrEqualTo(140);

    assertThat(call("POST", "/proxies/echo", "{\"upstream\": \"bad\"}").status()).isEqualTo(400);
    assertThat(call("POST", "/proxies/echo", "{\"enabled\": \"yes\"}").status()).isEqualTo(400);
    assertError(call("POST", "/proxies/nope", "{\"enabled\": true}"), 404, "proxy not found");

    try (java.net.ServerSocket holder = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Reply busy = call("POST", "/proxies/echo", "{\"listen\": \"127.0.0.1:" + holder.getLocalPort() + "\"}");
      assertThat(busy.status()).isEqualTo(500);
      assertThat(busy.json().getString("error")).startsWith("listen tcp 127.0.0.1:" + holder.getLocalPort());
      JsonObject now = call("GET", "/proxies/echo", null).json();
      assertThat(now.getBoolean("enabled")).isFalse();
      assertThat(port(now)).isEqualTo(holder.getLocalPort());
    }
  }

  @Test
  void toxicsAreCreatedListedShownUpdatedAndDeletedInToxiproxysShapes() throws Exception {
    create("echo");
    Reply added = call("POST", "/proxies/echo/toxics",
        "{\"type\":\"latency\",\"attributes\":{\"latency\":300,\"jitter\":20}}");
    assertThat(added.status()).as(added.body()).isEqualTo(200); // Toxiproxy answers 200 here, and its clients check it
    assertThat(added.json()).isEqualTo(new JsonObject("""
        {"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1.0,
         "attributes":{"latency":300,"jitter":20}}"""));
    ToxicSpec spec = proxies.get("echo").orElseThrow().toxics().get(0);
    assertThat(spec.latency()).isEqualTo(Duration.ofMillis(300));
    assertThat(spec.jitter()).isEqualTo(Duration.ofMillis(20));

    assertError(call("POST", "/proxies/echo/toxics", "{\"type\":\"latency\"}"), 409, "toxic already exists");
    assertError(call("POST", "/proxies/echo/toxics", "{\"type\":\"nope\"}"), 400, "invalid toxic type");
    assertError(call("POST", "/proxies/echo/toxics", "{\"type\":\"latency\",\"stream\":\"sideways\"}"),
        400, "stream was invalid, can be either upstream or downstream");
    assertError(call("POST", "/proxies/nope/toxics", "{\"type\":\"latency\"}"), 404, "proxy not found");
    assertThat(call("POST", "/proxies/echo/toxics",
        "{\"name\":\"s\",\"type\":\"latency\",\"attributes\":{\"latency\":\"1s\"}}").status()).isEqualTo(400);
    assertThat(call("POST", "/proxies/echo/toxics",
        "{\"name\":\"s\",\"type\":\"latency\",\"toxicity\":1.5}").status()).isEqualTo(400);
    assertThat(call("POST", "/proxies/echo/toxics", "[]").status()).isEqualTo(400);

    Reply up = call("POST", "/proxies/echo/toxics", """
        {"name":"slow","type":"slicer","stream":"upstream","toxicity":0.5,
         "attributes":{"average_size":64,"size_variation":8,"delay":1500,"unknown":1}}""");
    assertThat(up.status()).as(up.body()).isEqualTo(200);
    assertThat(up.json().getJsonObject("attributes"))
        .isEqualTo(new JsonObject().put("average_size", 64).put("size_variation", 8).put("delay", 1500));
    ToxicSpec slicer = proxies.get("echo").orElseThrow().toxics().get(1);
    assertThat(slicer.delay()).isEqualTo(Duration.ofNanos(1_500_000)); // Toxiproxy's slicer delay is in µs
    assertThat(slicer.toxicity()).isEqualTo(0.5);
    assertThat(slicer.stream()).isEqualTo(ToxicStream.UPSTREAM);

    Reply list = call("GET", "/proxies/echo/toxics", null);
    assertThat(list.status()).isEqualTo(200);
    // upstream toxics first, as Toxiproxy lists its chains
    assertThat(list.array().stream().map(o -> ((JsonObject) o).getString("name")).toList())
        .containsExactly("slow", "latency_downstream");
    assertThat(call("GET", "/proxies/echo", null).json().getJsonArray("toxics")).isEqualTo(list.array());

    Reply shown = call("GET", "/proxies/echo/toxics/latency_downstream", null);
    assertThat(shown.status()).isEqualTo(200);
    assertThat(shown.json()).isEqualTo(added.json());
    assertError(call("GET", "/proxies/echo/toxics/nope", null), 404, "toxic not found");
    assertError(call("GET", "/proxies/nope/toxics/x", null), 404, "proxy not found");

    // partial update: the attributes given change, the others stay
    Reply updated = call("POST", "/proxies/echo/toxics/latency_downstream", "{\"attributes\":{\"latency\":500}}");
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    assertThat(updated.json().getJsonObject("attributes")).isEqualTo(new JsonObject().put("latency", 500).put("jitter", 20));
    Reply patched = call("PATCH", "/proxies/echo/toxics/latency_downstream", "{\"toxicity\":0.25}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().getDouble("toxicity")).isEqualTo(0.25);
    assertThat(patched.json().getJsonObject("attributes").getLong("latency")).isEqualTo(500);
    assertError(call("POST", "/proxies/echo/toxics/nope", "{\"toxicity\":1}"), 404, "toxic not found");
    assertThat(proxies.get("echo").orElseThrow().toxics()).extracting(ToxicSpec::name)
        .containsExactly("latency_downstream", "slow");

    Reply removed = call("DELETE", "/proxies/echo/toxics/latency_downstream", null);
    assertThat(removed.status()).isEqualTo(204);
    assertError(call("DELETE", "/proxies/echo/toxics/latency_downstream", null), 404, "toxic not found");
    assertError(call("DELETE", "/proxies/nope/toxics/slow", null), 404, "proxy not found");
  }

  @Test
  void everyToxicTypeMapsToxiproxysUnitsOntoTheRegistry() throws Exception {
    create("echo");
    String[] bodies = {
        "{\"type\":\"bandwidth\",\"attributes\":{\"rate\":100}}",
        "{\"type\":\"slow_close\",\"attributes\":{\"delay\":250}}",
        "{\"type\":\"timeout\",\"stream\":\"upstream\",\"attributes\":{\"timeout\":1200}}",
        "{\"type\":\"reset_peer\",\"attributes\":{\"timeout\":40}}",
        "{\"type\":\"limit_data\",\"stream\":\"upstream\",\"attributes\":{\"bytes\":2048}}",
    };
    for (String b : bodies) {
      // toxicity 0 so the toxics exist without touching traffic
      JsonObject body = new JsonObject(b).put("toxicity", 0);
      Reply r = call("POST", "/proxies/echo/toxics", body.encode());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().getJsonObject("attributes")).isEqualTo(body.getJsonObject("attributes"));
    }
    List<ToxicSpec> t = proxies.get("echo").orElseThrow().toxics();
    assertThat(t.get(0).type()).isEqualTo(ToxicType.BANDWIDTH);
    assertThat(t.get(0).rateBytesPerSecond()).isEqualTo(100_000); // Toxiproxy's KB/s: 1000 bytes
    assertThat(t.get(1).delay()).isEqualTo(Duration.ofMillis(250));
    assertThat(t.get(2).timeout()).isEqualTo(Duration.ofMillis(1200));
    assertThat(t.get(3).timeout()).isEqualTo(Duration.ofMillis(40));
    assertThat(t.get(4).bytes()).isEqualTo(2048);
    assertThat(t).extracting(ToxicSpec::name).containsExactly("bandwidth_downstream", "slow_close_downstream",
        "timeout_upstream", "reset_peer_downstream", "limit_data_upstream");
  }

  @Test
  void aLatencyToxicAddedThroughTheApiDelaysTrafficAndRemovingItRestoresIt() throws Exception {
    int port = port(create("echo"));
    assertThat(echoMillis(port, "fast")).isLessThan(200);
    assertThat(call("POST", "/proxies/echo/toxics",
        "{\"name\":\"lag\",\"type\":\"latency\",\"stream\":\"downstream\",\"attributes\":{\"latency\":400}}").status())
        .isEqualTo(200);
    assertThat(echoMillis(port, "slow")).isGreaterThanOrEqualTo(390);
    assertThat(call("DELETE", "/proxies/echo/toxics/lag", null).status()).isEqualTo(204);
    assertThat(echoMillis(port, "fast again")).isLessThan(390);
  }

  @Test
  void resetEnablesEveryProxyAndRemovesEveryToxic() throws Exception {
    int a = port(create("a"));
    int b = port(create("b"));
    call("POST", "/proxies/a/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":500}}");
    call("POST", "/proxies/b/toxics", "{\"type\":\"timeout\",\"attributes\":{\"timeout\":0}}");
    assertThat(call("POST", "/proxies/b", "{\"enabled\":false}").status()).isEqualTo(200);
    assertThat(refused(b)).isTrue();

    Reply reset = call("POST", "/reset", null);
    assertThat(reset.status()).isEqualTo(204);
    assertThat(reset.body()).isEmpty();
    JsonObject all = call("GET", "/proxies", null).json();
    assertThat(all.getJsonObject("a").getJsonArray("toxics")).isEmpty();
    assertThat(all.getJsonObject("b").getJsonArray("toxics")).isEmpty();
    assertThat(all.getJsonObject("b").getBoolean("enabled")).isTrue();
    assertThat(echoMillis(a, "x")).isLessThan(490);
    assertThat(echoMillis(b, "y")).isLessThan(5000);
  }

  @Test
  void populateCreatesKeepsOrReplacesProxies() throws Exception {
    JsonArray first = new JsonArray()
        .add(new JsonObject().put("name", "a").put("listen", "127.0.0.1:0").put("upstream", upstream()))
        .add(new JsonObject().put("name", "b").put("listen", "127.0.0.1:0").put("upstream", upstream())
            .put("enabled", false));
    Reply r = call("POST", "/populate", first.encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonArray out = r.json().getJsonArray("proxies");
    assertThat(out).hasSize(2);
    assertThat(out.getJsonObject(0).getString("name")).isEqualTo("a");
    assertThat(out.getJsonObject(0).getBoolean("enabled")).isTrue();
    assertThat(out.getJsonObject(1).getBoolean("enabled")).isFalse();
    // from here on "a" is given with the address it got, as a client sends back what it read
    String listenA = out.getJsonObject(0).getString("listen");
    int free = port(out.getJsonObject(0));
    first.getJsonObject(0).put("listen", listenA);
    assertThat(echoMillis(free, "a")).isLessThan(5000);

    // same listen and upstream: kept as it is, with its toxics; another upstream: replaced
    call("POST", "/proxies/a/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":10}}");
    Reply again = call("POST", "/populate", new JsonArray().add(first.getJsonObject(0)).encode());
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().getJsonArray("proxies").getJsonObject(0).getJsonArray("toxics")).hasSize(1);
    NetServer other = vertx.createNetServer().connectHandler(s -> s.handler(s::write)).listen(0, "127.0.0.1")
        .await(30, TimeUnit.SECONDS);
    Reply replaced = call("POST", "/populate", new JsonArray().add(new JsonObject().put("name", "a")
        .put("listen", listenA).put("upstream", "127.0.0.1:" + other.actualPort())).encode());
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(201);
    JsonObject a = replaced.json().getJsonArray("proxies").getJsonObject(0);
    assertThat(a.getString("upstream")).isEqualTo("127.0.0.1:" + other.actualPort());
    assertThat(a.getJsonArray("toxics")).isEmpty();
    assertThat(echoMillis(free, "moved")).isLessThan(5000);

    // invalid input: nothing is applied
    Reply bad = call("POST", "/populate", new JsonArray()
        .add(new JsonObject().put("name", "c").put("upstream", upstream()))
        .add(new JsonObject().put("name", "d")).encode());
    assertError(bad, 400, "missing required field: upstream at proxy 2");
    assertThat(proxies.get("c")).isEmpty();
    assertThat(call("POST", "/populate", "{\"name\":\"x\"}").status()).isEqualTo(400);
    assertThat(call("POST", "/populate", "[]").json()).isEqualTo(new JsonObject().put("proxies", new JsonArray()));
  }

  @Test
  void theSameRegistryAsTheAdminApisTcpProxies() throws Exception {
    TcpProxy fromAdmin = proxies.create(new TcpProxySpec("admin-made", "127.0.0.1", 0, "127.0.0.1", echo.actualPort(),
        List.of(ToxicSpec.latency("slow", ToxicStream.DOWNSTREAM, Duration.ofMillis(5), Duration.ZERO))), "test")
        .await(30, TimeUnit.SECONDS);
    JsonObject shown = call("GET", "/proxies/admin-made", null).json();
    assertThat(port(shown)).isEqualTo(fromAdmin.listenPort());
    assertThat(shown.getJsonArray("toxics").getJsonObject(0).getJsonObject("attributes"))
        .isEqualTo(new JsonObject().put("latency", 5).put("jitter", 0));
    create("api-made");
    assertThat(proxies.list()).extracting(TcpProxy::name).containsExactlyInAnyOrder("admin-made", "api-made");
  }

  @Test
  void browsersUnknownPathsAndWrongMethodsAreRefused() throws Exception {
    Reply browser = call("GET", "/proxies", null, "Mozilla/5.0 (X11; Linux x86_64)");
    assertThat(browser.status()).isEqualTo(403);
    assertThat(call("GET", "/nothing", null).status()).isEqualTo(404);
    assertThat(call("PUT", "/proxies", "{}").status()).isEqualTo(405);
    assertThat(call("GET", "/reset", null).status()).isEqualTo(405);
  }

  /**
   * The API driven by toxiproxy-java, the client Testcontainers' ToxiproxyContainer hands out, as a test suite using
   * Toxiproxy would drive it: every call the client has, each toxic type read back through the client's own model.
   */
  @Test
  void toxiproxyJavaDrivesEveryCallItHas() throws Exception {
    var client = new eu.rekawek.toxiproxy.ToxiproxyClient("127.0.0.1", server.actualPort());
    assertThat(client.version()).contains("\"version\"").contains("2.12.0"); // Toxiproxy 2.x answers JSON here
    var proxy = client.createProxy("redis", "127.0.0.1:0", upstream());
    int port = Integer.parseInt(proxy.getListen().substring(proxy.getListen().lastIndexOf(':') + 1));
    assertThat(port).isPositive();
    assertThat(proxy.isEnabled()).isTrue();
    assertThat(client.getProxies()).extracting(eu.rekawek.toxiproxy.Proxy::getName).containsExactly("redis");
    assertThat(client.getProxy("redis").getUpstream()).isEqualTo(upstream());
    assertThat(echoMillis(port, "warm")).isLessThan(150);

    var down = eu.rekawek.toxiproxy.model.ToxicDirection.DOWNSTREAM;
    var up = eu.rekawek.toxiproxy.model.ToxicDirection.UPSTREAM;
    var latency = proxy.toxics().latency("lag", down, 250).setJitter(0);
    assertThat(echoMillis(port, "slow")).isGreaterThanOrEqualTo(240);
    latency.setLatency(300);
    var shown = proxy.toxics().get("lag", eu.rekawek.toxiproxy.model.toxic.Latency.class);
    assertThat(shown.getLatency()).isEqualTo(300);
    assertThat(shown.getStream()).isEqualTo(down);
    shown.setToxicity(0.5f);
    assertThat(proxy.toxics().get("lag").getToxicity()).isEqualTo(0.5f);
    shown.remove();
    assertThat(echoMillis(port, "fast")).isLessThan(150);

    proxy.toxics().bandwidth("bw", up, 512);
    proxy.toxics().slicer("cut", down, 64, 100).setSizeVariation(8); // average size, delay (µs)
    proxy.toxics().slowClose("sc", down, 20);
    proxy.toxics().timeout("to", up, 5000);
    proxy.toxics().limitData("lim", down, 4096);
    proxy.toxics().resetPeer("rst", up, 7000);
    assertThat(proxy.toxics().getAll()).extracting(eu.rekawek.toxiproxy.model.Toxic::getName)
        .containsExactlyInAnyOrder("bw", "cut", "sc", "to", "lim", "rst");
    assertThat(proxy.toxics().get("bw", eu.rekawek.toxiproxy.model.toxic.Bandwidth.class).getRate()).isEqualTo(512);
    var slicer = proxy.toxics().get("cut", eu.rekawek.toxiproxy.model.toxic.Slicer.class);
    assertThat(List.of(slicer.getAverageSize(), slicer.getSizeVariation(), slicer.getDelay())).containsExactly(64L, 8L, 100L);
    assertThat(proxy.toxics().get("sc", eu.rekawek.toxiproxy.model.toxic.SlowClose.class).getDelay()).isEqualTo(20);
    assertThat(proxy.toxics().get("to", eu.rekawek.toxiproxy.model.toxic.Timeout.class).getTimeout()).isEqualTo(5000);
    assertThat(proxy.toxics().get("lim", eu.rekawek.toxiproxy.model.toxic.LimitData.class).getBytes()).isEqualTo(4096);
    assertThat(proxy.toxics().get("rst", eu.rekawek.toxiproxy.model.toxic.ResetPeer.class).getTimeout()).isEqualTo(7000);

    proxy.disable();
    assertThat(refused(port)).isTrue();
    assertThat(client.getProxy("redis").isEnabled()).isFalse();
    proxy.enable();
    client.reset(); // every proxy enabled, every toxic gone
    assertThat(proxy.toxics().getAll()).isEmpty();
    assertThat(echoMillis(port, "again")).isLessThan(150);

    var other = vertx.createNetServer().connectHandler(s -> s.handler(b -> s.write("other:" + b)))
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    proxy.setUpstream("127.0.0.1:" + other.actualPort());
    assertThat(client.getProxy("redis").getUpstream()).isEqualTo("127.0.0.1:" + other.actualPort());
    int moved = freePort();
    proxy.setListen("127.0.0.1:" + moved);
    assertThat(client.getProxy("redis").getListen()).isEqualTo("127.0.0.1:" + moved);
    try (Socket s = new Socket("127.0.0.1", moved)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write('x');
      assertThat(new String(s.getInputStream().readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("other:x");
    }

    assertThatThrownBy(() -> client.createProxy("redis", "127.0.0.1:0", upstream())).isInstanceOf(IOException.class);
    proxy.delete();
    assertThat(client.getProxyOrNull("redis")).isNull();
    assertThatThrownBy(() -> client.getProxy("redis")).isInstanceOf(IOException.class);
    other.close().await(30, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
