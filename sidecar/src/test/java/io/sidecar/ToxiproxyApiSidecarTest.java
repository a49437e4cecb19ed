package io.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code toxiproxy_api:} starts the Toxiproxy-compatible API on the sidecar, over the admin API's TCP proxies. */
class ToxiproxyApiSidecarTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private Sidecar sidecar;

  @AfterEach
  void stop() {
    if (sidecar != null) {
      SidecarTest.await(sidecar.shutdown());
    }
  }

  private Sidecar start(String extra) throws Exception {
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, """
        admin: { address: "127.0.0.1:%d", token: "t0ken" }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, cluster: a } ]
        clusters: [ { name: a, endpoints: [ "127.0.0.1:9" ] } ]
        """.formatted(SidecarTest.freePort(), SidecarTest.freePort()) + extra);
    ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get), List.of());
    sidecar = SidecarTest.await(Sidecar.start(ConfigSource.file(file), loader));
    return sidecar;
  }

  private HttpResponse<String> call(int port, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A TCP proxy on one of the sidecar's addresses would not fail to bind: Vert.x would share the socket and hand it
   * part of the listener's (or an API's) connections. Both APIs refuse it with the holder's name, and a reload may not
   * put a listener on a running proxy's address either.
   */
  @Test
  void aProxyMayNotListenOnTheSidecarsAddressesNorAReloadedListenerOnAProxys() throws Exception {
    int toxiPort = SidecarTest.freePort();
    Sidecar s = start("toxiproxy_api: { address: \"127.0.0.1:" + toxiPort + "\" }\n");
    int listener = s.store().current().config().listeners().get(0).address().port();
    Map<String, String> expected = Map.of(
        "127.0.0.1:" + listener, "listener in uses 127.0.0.1:" + listener,
        "0.0.0.0:" + s.adminPort(), "the admin API uses 127.0.0.1:" + s.adminPort(),
        "127.0.0.1:" + toxiPort, "the Toxiproxy API uses 127.0.0.1:" + toxiPort);
    for (var e : expected.entrySet()) {
      HttpResponse<String> refused = call(toxiPort, "POST", "/proxies", null,
          "{\"name\":\"x\",\"listen\":\"" + e.getKey() + "\",\"upstream\":\"127.0.0.1:6379\"}");
      assertThat(refused.statusCode()).isEqualTo(500);
      assertThat(new JsonObject(refused.body()).getString("error"))
          .isEqualTo("listen tcp " + e.getKey() + ": Address already in use: " + e.getValue());
    }
    HttpResponse<String> viaAdmin = call(s.adminPort(), "POST", "/tcp-proxies", "t0ken",
        "{\"name\":\"x\",\"listen\":\"127.0.0.1:" + listener + "\",\"upstream\":\"127.0.0.1:6379\"}");
    assertThat(viaAdmin.statusCode()).isEqualTo(400);
    assertThat(viaAdmin.body()).contains("listener in uses 127.0.0.1:" + listener);
    assertThat(new JsonObject(call(toxiPort, "GET", "/proxies", null, null).body()).fieldNames()).isEmpty();
    for (int i = 0; i < 6; i++) { // every connection still meets the listener (its one upstream refuses: 503)
      assertThat(call(listener, "GET", "/", null, null).statusCode()).isEqualTo(503);
    }

    int proxyPort = SidecarTest.freePort();
    assertThat(call(toxiPort, "POST", "/proxies", null, "{\"name\":\"redis\",\"listen\":\"127.0.0.1:" + proxyPort
        + "\",\"upstream\":\"127.0.0.1:6379\"}").statusCode()).isEqualTo(201);
    Path file = dir.resolve("sidecar.yaml");
    Files.writeString(file, Files.readString(file).replace("listeners: [ { name: in, address: \"127.0.0.1:" + listener
        + "\" } ]", "listeners: [ { name: in, address: \"127.0.0.1:" + listener
        + "\" }, { name: in2, address: \"0.0.0.0:" + proxyPort + "\" } ]")
        .replace("{ name: r, cluster: a }", "{ name: r, listener: in, cluster: a }"));
    Throwable reload = s.reload().transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
        .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(reload).isInstanceOf(io.sidecar.config.ConfigException.class);
    assertThat(((io.sidecar.config.ConfigException) reload).errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo("listeners[1].address");
      assertThat(e.message()).isEqualTo("tcp proxy redis uses 127.0.0.1:" + proxyPort);
    });
    assertThat(s.store().current().config().listeners()).hasSize(1);

    // the admin API moved in the file waits for a restart: a listener may not take the address it still serves on
    int admin = s.adminPort();
    Files.writeString(file, """
        admin: { address: "127.0.0.1:%d", token: "t0ken" }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes: [ { name: r, cluster: a } ]
        clusters: [ { name: a, endpoints: [ "127.0.0.1:9" ] } ]
        """.formatted(SidecarTest.freePort(), admin));
    Throwable onAdmin = s.reload().transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
        .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(((io.sidecar.config.ConfigException) onAdmin).errors()).singleElement().satisfies(e -> {
      assertThat(e.path()).isEqualTo("listeners[0].address");
      assertThat(e.message()).isEqualTo("the admin API uses 127.0.0.1:" + admin);
    });
    assertThat(s.store().current().config().listeners().get(0).address().port()).isEqualTo(listener);
    assertThat(call(admin, "GET", "/tcp-proxies", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void offUnlessConfigured() throws Exception {
    assertThat(start("").toxiproxyApiPort()).isEqualTo(-1);
  }

  @Test
  void bothApisShowTheSameProxies() throws Exception {
    int toxiPort = SidecarTest.freePort();
    Sidecar s = start("toxiproxy_api: { address: \"127.0.0.1:" + toxiPort + "\" }\n");
    assertThat(s.toxiproxyApiPort()).isEqualTo(toxiPort);
    int admin = s.adminPort();

    // made through the Toxiproxy API (no token), seen by the admin API
    HttpResponse<String> created = call(toxiPort, "POST", "/proxies", null,
        "{\"name\":\"redis\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:6379\",\"enabled\":false}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(call(toxiPort, "POST", "/proxies/redis/toxics", null,
        "{\"type\":\"latency\",\"attributes\":{\"latency\":250}}").statusCode()).isEqualTo(200);
    JsonArray listed = new JsonObject(call(admin, "GET", "/tcp-proxies", null, null).body()).getJsonArray("tcp_proxies");
    assertThat(listed).hasSize(1);
    JsonObject redis = listed.getJsonObject(0);
    assertThat(redis.getString("name")).isEqualTo("redis");
    assertThat(redis.getBoolean("enabled")).isFalse();
    assertThat(redis.getJsonArray("toxics").getJsonObject(0).getJsonObject("attributes").getString("latency"))
        .isEqualTo("250ms");

    // made through the admin API (token), seen by the Toxiproxy API
    HttpResponse<String> viaAdmin = call(admin, "POST", "/tcp-proxies", "t0ken",
        "{\"name\":\"pg\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:5432\"}");
    assertThat(viaAdmin.statusCode()).as(viaAdmin.body()).isEqualTo(201);
    JsonObject all = new JsonObject(call(toxiPort, "GET", "/proxies", null, null).body());
    assertThat(all.fieldNames()).containsExactlyInAnyOrder("redis", "pg");
    assertThat(all.getJsonObject("pg").getBoolean("enabled")).isTrue();

    assertThat(call(toxiPort, "POST", "/reset", null, null).statusCode()).isEqualTo(204);
    JsonObject afterReset = new JsonObject(call(admin, "GET", "/tcp-proxies", null, null).body());
    afterReset.getJsonArray("tcp_proxies").forEach(p -> {
      assertThat(((JsonObject) p).getBoolean("enabled")).isTrue();
      assertThat(((JsonObject) p).getJsonArray("toxics")).isEmpty();
    });
  }
}
