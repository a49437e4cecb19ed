package io.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.config.ConfigLoader;
import io.sidecar.config.EnvSubstitution;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.sidecar.TestHttp.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.sidecar.proxy.tls.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled sidecar through real sockets: admin API auth, reloads good and bad, endpoint replacement. */
class SidecarTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final TestHttp http = new TestHttp(vertx);
  private Sidecar sidecar;
  private Path configFile;
  private int proxyPort;
  private int adminPort;
  private int upstreamA;
  private int upstreamB;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port free now and not handed out before in this JVM. The kernel may give the same ephemeral port to two
   * probes in a row; two of our servers on it would both bind (SO_REUSEPORT) and split the connections.
   */
  static int freePort() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private int upstream(String name) {
    HttpServer server = await(vertx.createHttpServer().requestHandler(req -> req.response().end(name))
        .listen(0, "127.0.0.1"));
    return server.actualPort();
  }

  private String config(String cluster) {
    return """
        admin: { address: "127.0.0.1:%d", token: "t0ken" }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes:
          - { name: cached, match: { path_prefix: /c/ }, cluster: a, cache: { enabled: true, default_ttl: 60s } }
          - { name: r, cluster: %s }
        clusters:
          - { name: a, endpoints: [ "127.0.0.1:%d" ] }
          - { name: b, endpoints: [ "127.0.0.1:%d" ] }
        """.formatted(adminPort, proxyPort, cluster, upstreamA, upstreamB);
  }

  @BeforeEach
  void start() throws Exception {
    upstreamA = upstream("a");
    upstreamB = upstream("b");
    proxyPort = freePort();
    adminPort = freePort();
    configFile = dir.resolve("sidecar.yaml");
    Files.writeString(configFile, config("a"));
    sidecar = start(configFile);
  }

  /** The sidecar as {@code bin/sidecar run --config file} starts it, without the environment's variables. */
  static Sidecar start(Path configFile) throws Exception {
    ConfigLoader loader = new ConfigLoader(new EnvSubstitution(Map.<String, String>of()::get),
        List.of(new io.sidecar.proxy.tls.TlsConfigCheck()));
    return await(Sidecar.start(ConfigSource.file(configFile), loader));
  }

  @AfterEach
  void stop() {
    await(sidecar.shutdown());
    await(vertx.close());
  }

  /**
   * The admin API's handlers run on a worker thread: one that takes long (the first experiment posted, a large
   * scrape) no longer holds the requests of the event loop it ran on.
   */
  @Test
  void adminHandlersRunOffTheEventLoopsTheListenersUse() {
    sidecar.adminRouter().get("/test/thread").handler(ctx -> ctx.end(
        io.vertx.core.Context.isOnEventLoopThread() + " " + io.vertx.core.Context.isOnWorkerThread()));
    assertThat(admin(HttpMethod.GET, "/test/thread", null, null).body()).isEqualTo("false true");
  }

  private Reply call(HttpMethod method, int port, String path, String token, String body) {
    return http.call(method, port, path, token, body);
  }

  /**
   * The metrics text once it contains {@code series} (or after 5 s): the data plane counts a request after its
   * response has gone out, and some series are filled once a second, so a scrape right after the client got its
   * response can come a moment too early.
   */
  private String metricsContaining(String series) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    String body = admin(HttpMethod.GET, "/metrics", null, null).body();
    while (!body.contains(series) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      body = admin(HttpMethod.GET, "/metrics", null, null).body();
    }
    return body;
  }

  private Reply admin(HttpMethod method, String path, String token, String body) {
    return call(method, adminPort, path, token, body);
  }

  @Test
  void healthReadinessMetricsAndOpenApi() {
    assertThat(admin(HttpMethod.GET, "/healthz", null, null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.GET, "/readyz", null, null).status()).isEqualTo(200);
    // the JVM and process meters are bound just after start, off the start-up path (JvmMeters), one binder after the
    // other: wait for the last one's (UptimeMetrics), or a scrape between two binders misses the later ones
    assertThat(metricsContaining("process_uptime_seconds")).contains("jvm_memory_used_bytes{", "jvm_gc_max_data_size_bytes",
        "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage", "system_cpu_count");
    call(HttpMethod.GET, proxyPort, "/", null, null);
    assertThat(metricsContaining("sidecar_requests_total{"))
        .contains("sidecar_requests_total{cluster=\"a\",flag=\"-\",route=\"r\",status_class=\"2xx\"} 1.0")
        .contains("sidecar_request_duration_seconds_bucket");
    assertThat(admin(HttpMethod.GET, "/openapi.yaml", null, null).body()).contains("/config/reload");
    Reply config = admin(HttpMethod.GET, "/config", null, null);
    assertThat(config.body()).doesNotContain("t0ken").contains("<redacted>");
    assertThat(admin(HttpMethod.GET, "/routes", null, null).json().getJsonArray("routes")).hasSize(2);
    assertThat(admin(HttpMethod.GET, "/clusters", null, null).json().getJsonArray("clusters")).hasSize(2);
  }

  /** Prometheus' conventions, as {@code promtool check metrics} applies them, for every family the sidecar names. */
  @Test
  void everySidecarMetricHasHelpTextAndCountersEndInTotal() {
    call(HttpMethod.GET, proxyPort, "/", null, null);
    call(HttpMethod.GET, proxyPort, "/c/x", null, null);
    String text = metricsContaining("sidecar_cache_");
    java.util.Map<String, String> help = new java.util.HashMap<>();
    java.util.Map<String, String> types = new java.util.HashMap<>();
    text.lines().forEach(line -> {
      String[] parts = line.split(" ", 4);
      if (line.startsWith("# HELP ")) help.put(parts[2], parts.length > 3 ? parts[3].trim() : "");
      if (line.startsWith("# TYPE ")) types.put(parts[2], parts[3]);
    });
    assertThat(types.keySet().stream().filter(n -> n.startsWith("sidecar_")).toList()).hasSizeGreaterThan(10);
    List<String> faults = new java.util.ArrayList<>();
    types.forEach((name, type) -> {
      if (!name.startsWith("sidecar_")) return;
      if (help.getOrDefault(name, "").isBlank()) faults.add(name + ": no help text");
      if (type.equals("counter") != name.endsWith("_total")) faults.add(name + ": a " + type);
    });
    assertThat(faults).isEmpty();
  }

  @Test
  void mutationsNeedTheToken() {
    Reply missing = admin(HttpMethod.POST, "/config/reload", null, null);
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.json().getString("error")).isEqualTo("unauthorized");
    assertThat(admin(HttpMethod.POST, "/config/reload", "wrong", null).status()).isEqualTo(401);
    assertThat(sidecar.store().current().version()).isEqualTo(1);
    String body = "{\"endpoints\":[{\"address\":\"127.0.0.1:" + upstreamB + "\"}]}";
    assertThat(admin(HttpMethod.PUT, "/clusters/a/endpoints", null, body).status()).isEqualTo(401);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).isEqualTo("a");

    Reply ok = admin(HttpMethod.POST, "/config/reload", "t0ken", null);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getLong("version")).isEqualTo(2);
    // accepted mutations are audited; refused ones are not
    String audit = admin(HttpMethod.GET, "/audit", null, null).body();
    assertThat(audit).contains("POST /config/reload");
    assertThat(audit).doesNotContain("PUT /clusters/a/endpoints");
  }

  @Test
  void badReloadIsRejectedWithPathsAndTheOldConfigKeepsServing() throws Exception {
    Files.writeString(configFile, config("a").replace("{ name: r, cluster: a }", "{ name: r, cluster: nope }").replace("admin:", "bogus: 1\nadmin:"));
    Reply reply = admin(HttpMethod.POST, "/config/reload", "t0ken", null);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().getString("error")).isEqualTo("invalid_config");
    assertThat(reply.json().getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("text")).toList())
        .containsExactlyInAnyOrder("bogus (line 1): unknown field (known: service, instance, admin, server, listeners, "
            + "routes, clusters, faults, fault_injection, tcp_proxies, toxiproxy_api, cache, predictor, storage)", "routes[1].cluster (line 6): no cluster named 'nope'");
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).isEqualTo("a");
    JsonObject status = admin(HttpMethod.GET, "/config/status", null, null).json();
    assertThat(status.getLong("version")).isEqualTo(1);
    assertThat(status.getBoolean("last_attempt_accepted")).isFalse();
    assertThat(status.getJsonArray("last_rejection")).hasSize(2);
  }

  @Test
  void aTlsListenerIsListedWithItsCertificateAndABadKeyOnReloadLeavesItServing() throws Exception {
    TestCertificates.Pair a = TestCertificates.rsa(dir, "a-", "a");
    TestCertificates.Pair b = TestCertificates.rsa(dir, "b-", "b");
    int securePort = freePort();
    String withTls = config("a").replace("listeners: [ { name: in, address: \"127.0.0.1:%d\" } ]".formatted(proxyPort),
        "listeners: [ { name: in, address: \"127.0.0.1:%d\" }, { name: secure, address: \"127.0.0.1:%d\", tls: { cert: %s, key: %s } } ]"
            .formatted(proxyPort, securePort, a.cert(), "%KEY%"))
        .replace("{ name: r, cluster: a }", "{ name: r, listener: in, cluster: a }")
        .replace("{ name: cached,", "{ name: cached, listener: in,");
    Files.writeString(configFile, withTls.replace("%KEY%", a.key().toString()));
    assertThat(admin(HttpMethod.POST, "/config/reload", "t0ken", null).status()).isEqualTo(200);

    JsonObject listeners = admin(HttpMethod.GET, "/listeners", null, null).json();
    assertThat(listeners.getJsonArray("listeners")).hasSize(2);
    JsonObject secure = listeners.getJsonArray("listeners").getJsonObject(1);
    assertThat(secure.getString("name")).isEqualTo("secure");
    assertThat(secure.getJsonObject("tls").getJsonObject("certificate").getString("subject")).isEqualTo("CN=a");
    assertThat(secure.getJsonObject("tls").getJsonArray("versions")).containsExactly("TLSv1.2", "TLSv1.3");
    assertThat(listeners.getJsonArray("listeners").getJsonObject(0).containsKey("tls")).isFalse();

    Files.writeString(configFile, withTls.replace("%KEY%", b.key().toString()));
    Reply refused = admin(HttpMethod.POST, "/config/reload", "t0ken", null);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("listeners[1].tls.key").contains("does not match the certificate (CN=a)");
    HttpClient tls = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
    io.vertx.core.Promise<Integer> status = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> tls.request(HttpMethod.GET, securePort, "127.0.0.1", "/")
        .compose(req -> req.send()).map(resp -> resp.statusCode()).onComplete(status));
    assertThat(await(status.future())).as("served over TLS (no route is bound to it: NR)").isEqualTo(404);
    await(tls.close()); // also keeps it referenced until here: Vert.x closes a client the GC finds unreferenced
    assertThat(metricsContaining("sidecar_tls_certificate_expiry_timestamp_seconds{listener=\"secure\"}"))
        .contains("sidecar_tls_certificate_expiry_timestamp_seconds{listener=\"secure\"}");
  }

  @Test
  void aReloadSaysWhichChangedSettingsWaitForARestart() throws Exception {
    Files.writeString(configFile, "server: { access_log: stdout, shutdown_grace: 3s }\n" + config("b"));
    Reply reply = admin(HttpMethod.POST, "/config/reload", "t0ken", null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().getJsonArray("pending_restart")).containsExactly("server.access_log");
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).as("routes changed at once").isEqualTo("b");
    assertThat(admin(HttpMethod.GET, "/config/status", null, null).json().getJsonArray("pending_restart"))
        .containsExactly("server.access_log");
  }

  @Test
  void aValidConfigThatCannotBeAppliedIsUndoneWhole() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Files.writeString(configFile, config("b").replace("127.0.0.1:" + proxyPort, "127.0.0.1:" + taken.getLocalPort()));
      Reply reply = admin(HttpMethod.POST, "/config/reload", "t0ken", null);
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.body()).contains("could not be applied").contains("previous config keeps serving");
    }
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).as("old listener, old routes").isEqualTo("a");
    JsonObject status = admin(HttpMethod.GET, "/config/status", null, null).json();
    assertThat(status.getLong("version")).isEqualTo(1);
    assertThat(status.getBoolean("last_attempt_accepted")).isFalse();
  }

  @Test
  void fileChangesAreReloadedByTheWatcher() throws Exception {
    Files.writeString(configFile, config("b") + "\n# changed\n");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sidecar.store().current().version() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(sidecar.store().current().version()).isEqualTo(2);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).isEqualTo("b");
  }

  @Test
  void endpointsCanBeReplacedAtRunTime() {
    Reply badJson = admin(HttpMethod.PUT, "/clusters/a/endpoints", "t0ken", "{not json");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.json().getString("error")).isEqualTo("bad_json");
    Reply badPort = admin(HttpMethod.PUT, "/clusters/a/endpoints", "t0ken", "{\"endpoints\":[{\"address\":\"127.0.0.1:0\"}]}");
    assertThat(badPort.status()).isEqualTo(400);
    assertThat(badPort.json().getString("detail")).isEqualTo("endpoints[0].address.port: must be 1..65535");
    assertThat(admin(HttpMethod.PUT, "/clusters/zzz/endpoints", "t0ken", "{\"endpoints\":[]}").status()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).isEqualTo("a");

    Reply ok = admin(HttpMethod.PUT, "/clusters/a/endpoints", "t0ken",
        "{\"endpoints\":[{\"address\":\"127.0.0.1:" + upstreamB + "\",\"weight\":3}]}");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getJsonArray("endpoints").getJsonObject(0).getInteger("weight")).isEqualTo(3);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).isEqualTo("b");
    Reply unknown = admin(HttpMethod.GET, "/clusters/zzz", null, null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("not_found");
  }

  @Test
  void balancerStrategyAndBreakerAreSteeredThroughTheApi() {
    JsonObject cluster = admin(HttpMethod.GET, "/clusters/a", null, null).json();
    assertThat(cluster.getString("balancer")).isEqualTo("predictive");
    assertThat(cluster.getJsonArray("endpoints").getJsonObject(0).containsKey("predicted_latency_ms")).isTrue();

    Reply unknown = admin(HttpMethod.PUT, "/clusters/a/balancer", "t0ken", "{\"strategy\":\"random\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().getString("detail")).startsWith("strategy: ").contains("p2c_peak_ewma");
    assertThat(admin(HttpMethod.PUT, "/clusters/a/balancer", null, "{\"strategy\":\"least_request\"}").status())
        .isEqualTo(401);
    Reply switched = admin(HttpMethod.PUT, "/clusters/a/balancer", "t0ken", "{\"strategy\":\"least_request\"}");
    assertThat(switched.status()).isEqualTo(200);
    assertThat(switched.json().getString("balancer")).isEqualTo("least_request");

    assertThat(admin(HttpMethod.POST, "/clusters/a/breaker", "t0ken", "{\"state\":\"sideways\"}").status()).isEqualTo(400);
    Reply open = admin(HttpMethod.POST, "/clusters/a/breaker", "t0ken", "{\"state\":\"forced_open\"}");
    assertThat(open.status()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).status()).isEqualTo(503);
    admin(HttpMethod.POST, "/clusters/a/breaker", "t0ken", "{\"state\":\"closed\"}");
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).body()).isEqualTo("a");
  }

  @Test
  void cachePurgeThroughTheApi() throws Exception {
    assertThat(call(HttpMethod.GET, proxyPort, "/c/x", null, null).body()).isEqualTo("a");
    assertThat(admin(HttpMethod.GET, "/cache/stats", null, null).status()).isEqualTo(200);
    assertThat(metricsContaining("sidecar_cache_requests_total{layer=\"ORIGIN\",result=\"miss\",route=\"cached\"}"))
        .contains("sidecar_cache_requests_total{layer=\"ORIGIN\",result=\"miss\",route=\"cached\"} 1.0");
    assertThat(admin(HttpMethod.POST, "/cache/purge", null, "{\"all\":true}").status()).isEqualTo(401);
    Reply badJson = admin(HttpMethod.POST, "/cache/purge", "t0ken", "{\"all\":");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.json().getString("error")).isEqualTo("bad_json");
    Reply badGlob = admin(HttpMethod.POST, "/cache/purge", "t0ken", "{\"glob\":\"\"}");
    assertThat(badGlob.status()).isEqualTo(400);
    Reply badKey = admin(HttpMethod.POST, "/cache/purge", "t0ken", "{\"key\":5}");
    assertThat(badKey.status()).isEqualTo(400);
    assertThat(badKey.json().getString("error")).isEqualTo("invalid_purge");
    assertThat(badKey.json().getString("detail")).isEqualTo("key: must be a string"); // the field named once
    Reply purged = admin(HttpMethod.POST, "/cache/purge", "t0ken", "{\"all\":true}");
    assertThat(purged.status()).isEqualTo(200);
    assertThat(purged.json().getInteger("purged")).isEqualTo(1);
  }

  @Test
  void predictorViewsAreServed() throws Exception {
    for (int i = 0; i < 5; i++) call(HttpMethod.GET, proxyPort, "/", null, null);
    assertThat(metricsContaining("sidecar_route_latency_seconds{quantile=\"0.99\",route=\"r\"}"))
        .contains("sidecar_route_latency_seconds{quantile=\"0.99\",route=\"r\"}")
        .contains("sidecar_route_request_rate_requests{route=\"r\"}");
    JsonObject signals = admin(HttpMethod.GET, "/signals", null, null).json();
    JsonObject route = signals.getJsonArray("routes").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("name").equals("r")).findFirst().orElseThrow();
    assertThat(route.getLong("total_requests")).isEqualTo(5);
    assertThat(route.getJsonObject("status_classes").getLong("2xx")).isEqualTo(5);
    // The upstream view: each try counted for its cluster and its endpoint.
    JsonObject cluster = signals.getJsonArray("clusters").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("name").equals("a")).findFirst().orElseThrow();
    assertThat(cluster.getLong("total_requests")).isEqualTo(5);
    JsonObject endpoint = signals.getJsonArray("endpoints").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("name").equals("a/127.0.0.1:" + upstreamA)).findFirst().orElseThrow();
    assertThat(endpoint.getLong("total_requests")).isEqualTo(5);
    assertThat(endpoint.getLong("in_flight")).isZero();
    assertThat(admin(HttpMethod.GET, "/anomalies", null, null).json().getJsonArray("alerts")).isNotNull();
    assertThat(admin(HttpMethod.GET, "/scaling", null, null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.GET, "/signals/snapshot", null, null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.GET, "/metrics", null, null).body()).contains("sidecar_predictor_recommended_replicas")
        .contains("sidecar_history_pending_rows");
    assertThat(admin(HttpMethod.GET, "/forecasts/route:nope:rate/versions", null, null).status()).isEqualTo(404);
    assertThat(admin(HttpMethod.POST, "/forecasts/route:r:rate/rollback", "t0ken", "{\"version\":\"x\"}").status())
        .isEqualTo(400);
  }

  @Test
  void faultsAreAddedStoppedAndValidatedThroughTheApi() {
    String abortAll = "{\"name\":\"f1\",\"route\":\"r\",\"percent\":100,\"abort\":{\"status\":503}}";
    assertThat(admin(HttpMethod.POST, "/faults", null, abortAll).status()).isEqualTo(401);
    Reply bad = admin(HttpMethod.POST, "/faults", "t0ken", "{\"name\":\"f2\",\"route\":\"r\",\"percent\":150,\"abort\":{\"status\":503}}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("detail")).contains("percent");
    assertThat(admin(HttpMethod.POST, "/faults", "t0ken", "{\"name\":").json().getString("error")).isEqualTo("bad_json");
    Reply typo = admin(HttpMethod.POST, "/faults", "t0ken", abortAll.replace("\"route\":\"r\"", "\"route\":\"rr\"")
        .replace("f1", "typo"));
    assertThat(typo.status()).isEqualTo(201); // the contract's answer: the route may come with a reload
    assertThat(typo.json().getJsonArray("warnings")).containsExactly("route: no route named 'rr' in the config "
        + "(routes: cached, r); the fault matches nothing until the config has it");
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).status()).isEqualTo(200); // it matches nothing
    assertThat(admin(HttpMethod.DELETE, "/faults/" + typo.json().getString("id"), "t0ken", null).status()).isEqualTo(204);
    Reply haltOnTypo = admin(HttpMethod.POST, "/experiments", "t0ken", "{\"name\":\"e\",\"duration\":\"1m\","
        + "\"blast_radius\":10,\"faults\":[" + abortAll + "],\"halt_conditions\":[{\"error_rate_above\":5,\"route\":\"x\"}]}");
    assertThat(haltOnTypo.status()).isEqualTo(400);
    assertThat(haltOnTypo.json().getString("detail")).startsWith("halt_conditions[0].route: no route named 'x'");
    assertThat(admin(HttpMethod.GET, "/experiments", null, null).json().getJsonArray("experiments")).isEmpty();
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).status()).isEqualTo(200);

    Reply created = admin(HttpMethod.POST, "/faults", "t0ken", abortAll);
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).status()).isEqualTo(503);
    assertThat(admin(HttpMethod.GET, "/faults/" + id, null, null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.DELETE, "/faults/" + id, "t0ken", null).status()).isEqualTo(204);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).status()).isEqualTo(200);

    admin(HttpMethod.POST, "/faults", "t0ken", abortAll);
    admin(HttpMethod.POST, "/faults", "t0ken", abortAll.replace("f1", "f3"));
    Reply stopped = admin(HttpMethod.POST, "/faults/stop-all", "t0ken", null);
    assertThat(stopped.json().getInteger("stopped")).isEqualTo(2);
    assertThat(call(HttpMethod.GET, proxyPort, "/", null, null).status()).isEqualTo(200);
    assertThat(admin(HttpMethod.GET, "/faults/audit", null, null).json().getJsonArray("audit")).isNotEmpty();
  }
}
