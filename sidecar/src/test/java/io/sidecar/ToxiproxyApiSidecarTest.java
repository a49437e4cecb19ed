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
