package io.sidecar;

import static io.sidecar.SidecarTest.await;
import static io.sidecar.SidecarTest.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.sidecar.TestHttp.Reply;
import io.sidecar.admin.AdminApi;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control API answers as its OpenAPI document ({@code control-api/.../openapi.yaml}) says, checked by
 * Atlassian's OpenAPI validator over real sockets: every documented operation is called and answers a documented
 * status with a body of the documented schema, and so does every bad call (no token, bad JSON, a body of the wrong
 * shape, an unknown name, a wrong method); no call answers 5xx; and every route the server has is documented.
 */
class OpenApiContractTest {
  private static final String TOKEN = "t0ken";
  /** Operations whose success needs a minute of traffic history (a fitted forecast model); their 404 is checked. */
  private static final Set<String> NEED_A_FITTED_MODEL =
      Set.of("GET /forecasts/{metric}/versions", "POST /forecasts/{metric}/rollback");

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final TestHttp http = new TestHttp(vertx);
  private final OpenAPI api = new OpenAPIV3Parser().readContents(openApiDocument()).getOpenAPI();
  private final OpenApiInteractionValidator validator = OpenApiInteractionValidator
      .createForInlineApiSpecification(openApiDocument())
      // the document's server (127.0.0.1:9901) is not the test's
      .withBasePathOverride("/")
      // allOf parts are checked as one schema, so no part calls the other's properties unexpected
      .withResolveCombinators(true)
      .build();
  private final List<String> violations = new ArrayList<>();
  private final Set<String> succeeded = new TreeSet<>();
  private Sidecar sidecar;
  private int adminPort;
  private int upstream;

  private static String openApiDocument() {
    try (InputStream in = AdminApi.class.getResourceAsStream("openapi.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void start() throws Exception {
    upstream = await(vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("cache-control", "max-age=60").end("a")).listen(0, "127.0.0.1")).actualPort();
    adminPort = freePort();
    Path configFile = dir.resolve("sidecar.yaml");
    Files.writeString(configFile, """
        admin: { address: "127.0.0.1:%d", token: "%s" }
        listeners: [ { name: in, address: "127.0.0.1:%d" } ]
        routes:
          - { name: cached, match: { path_prefix: /c/ }, cluster: a, cache: { enabled: true } }
          - { name: api, cluster: a }
        clusters:
          - { name: a, endpoints: [ "127.0.0.1:%d" ], circuit_breaker: { failure_rate: 50 } }
        """.formatted(adminPort, TOKEN, freePort(), upstream));
    sidecar = SidecarTest.start(configFile);
  }

  @AfterEach
  void stop() {
    await(sidecar.shutdown());
    await(vertx.close());
  }

  @Test
  void everyDocumentedOperationAnswersAsDocumented() {
    ok(HttpMethod.GET, "/healthz", null);
    ok(HttpMethod.GET, "/readyz", null);
    ok(HttpMethod.GET, "/metrics", null);
    ok(HttpMethod.GET, "/openapi.yaml", null);
    ok(HttpMethod.GET, "/", null);
    ok(HttpMethod.GET, "/dashboard", null);
    ok(HttpMethod.GET, "/config", null);
    ok(HttpMethod.GET, "/config/status", null);
    ok(HttpMethod.POST, "/config/reload", null);
    ok(HttpMethod.GET, "/routes", null);
    ok(HttpMethod.GET, "/listeners", null);
    ok(HttpMethod.GET, "/clusters", null);
    ok(HttpMethod.GET, "/clusters/a", null);
    ok(HttpMethod.PUT, "/clusters/a/endpoints",
        "{\"endpoints\": [{\"address\": \"127.0.0.1:" + upstream + "\", \"weight\": 2}]}");
    ok(HttpMethod.PUT, "/clusters/a/balancer", "{\"strategy\": \"least_request\"}");
    ok(HttpMethod.POST, "/clusters/a/breaker", "{\"state\": \"forced_open\"}");
    ok(HttpMethod.POST, "/clusters/a/breaker", "{\"state\": \"closed\"}");

    String faultId = ok(HttpMethod.POST, "/faults",
        "{\"name\": \"f1\", \"route\": \"api\", \"percent\": 100, \"abort\": {\"status\": 503}}").getString("id");
    ok(HttpMethod.GET, "/faults", null);
    ok(HttpMethod.GET, "/faults/" + faultId, null);
    ok(HttpMethod.DELETE, "/faults/" + faultId, null);
    String experimentId = ok(HttpMethod.POST, "/experiments", """
        {"name": "e1", "faults": [{"name": "slow", "route": "api", "percent": 50, "delay": {"fixed": "1ms"}}],
         "duration": "5m", "blast_radius": 10, "halt_conditions": [{"error_rate_above": 5, "window": "30s"}]}
        """).getString("id");
    ok(HttpMethod.GET, "/experiments", null);
    ok(HttpMethod.POST, "/experiments/" + experimentId + "/stop", null);
    ok(HttpMethod.POST, "/faults/stop-all", null);
    ok(HttpMethod.GET, "/faults/audit", null);

    ok(HttpMethod.POST, "/tcp-proxies",
        "{\"name\": \"t1\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:" + upstream + "\"}");
    ok(HttpMethod.GET, "/tcp-proxies", null);
    ok(HttpMethod.POST, "/tcp-proxies/t1/toxics",
        "{\"name\": \"slow\", \"type\": \"latency\", \"attributes\": {\"latency\": 5}}");
    ok(HttpMethod.DELETE, "/tcp-proxies/t1/toxics/slow", null);
    ok(HttpMethod.DELETE, "/tcp-proxies/t1", null);

    ok(HttpMethod.POST, "/cache/purge", "{\"prefix\": \"/c/\"}");
    ok(HttpMethod.POST, "/cache/purge", "{\"all\": true}");
    ok(HttpMethod.GET, "/cache/stats", null);
    ok(HttpMethod.GET, "/signals", null);
    ok(HttpMethod.GET, "/signals/snapshot", null);
    ok(HttpMethod.GET, "/audit", null);
    ok(HttpMethod.GET, "/anomalies", null);
    ok(HttpMethod.GET, "/scaling", null);
    ok(HttpMethod.GET, "/forecasts", null);

    assertThat(violations).isEmpty();
    Set<String> notCalled = new TreeSet<>(documentedOperations());
    notCalled.removeAll(succeeded);
    notCalled.removeAll(NEED_A_FITTED_MODEL);
    assertThat(notCalled).as("documented operations that never succeeded").isEmpty();
  }

  @Test
  void badCallsGetTheDocumentedErrors() {
    for (String operation : documentedOperations()) {
      String method = operation.substring(0, operation.indexOf(' '));
      if (method.equals("GET")) continue;
      String path = operation.substring(operation.indexOf(' ') + 1)
          .replace("{name}", "a").replace("{id}", "x").replace("{toxic}", "x").replace("{metric}", "m");
      HttpMethod httpMethod = HttpMethod.valueOf(method);
      expect(httpMethod, path, null, "{}", 401);
      expect(httpMethod, path, "wrong", "{}", 401);
    }
    String[] notObjects = {"{", "[]", "42", "\"x\"", "null", "{\"endpoints\": 7}"};
    for (String body : notObjects) {
      expect(HttpMethod.PUT, "/clusters/a/endpoints", TOKEN, body, 400);
      expect(HttpMethod.PUT, "/clusters/a/balancer", TOKEN, body, 400);
      expect(HttpMethod.POST, "/clusters/a/breaker", TOKEN, body, 400);
      expect(HttpMethod.POST, "/faults", TOKEN, body, 400);
      expect(HttpMethod.POST, "/experiments", TOKEN, body, 400);
      expect(HttpMethod.POST, "/tcp-proxies", TOKEN, body, 400);
      expect(HttpMethod.POST, "/cache/purge", TOKEN, body, 400);
    }
    expect(HttpMethod.PUT, "/clusters/a/balancer", TOKEN, "{\"strategy\": \"fastest\"}", 400);
    expect(HttpMethod.POST, "/clusters/a/breaker", TOKEN, "{\"state\": \"ajar\"}", 400);
    expect(HttpMethod.POST, "/faults", TOKEN, "{\"name\": \"f\", \"percent\": 300}", 400);
    expect(HttpMethod.POST, "/cache/purge", TOKEN, "{\"key\": 5}", 400);
    expect(HttpMethod.POST, "/cache/purge", TOKEN, "{\"prefix\": \"/a\", \"tag\": \"t\"}", 400);

    expect(HttpMethod.GET, "/clusters/nope", null, null, 404);
    expect(HttpMethod.PUT, "/clusters/nope/endpoints", TOKEN, "{\"endpoints\": [{\"address\": \"127.0.0.1:1\"}]}", 404);
    expect(HttpMethod.PUT, "/clusters/nope/balancer", TOKEN, "{\"strategy\": \"round_robin\"}", 404);
    expect(HttpMethod.POST, "/clusters/nope/breaker", TOKEN, "{\"state\": \"closed\"}", 404);
    expect(HttpMethod.GET, "/faults/nope", null, null, 404);
    expect(HttpMethod.DELETE, "/faults/nope", TOKEN, null, 404);
    expect(HttpMethod.POST, "/experiments/nope/stop", TOKEN, null, 404);
    expect(HttpMethod.DELETE, "/tcp-proxies/nope", TOKEN, null, 404);
    expect(HttpMethod.POST, "/tcp-proxies/nope/toxics", TOKEN,
        "{\"name\": \"x\", \"type\": \"latency\", \"attributes\": {\"latency\": 5}}", 404);
    expect(HttpMethod.DELETE, "/tcp-proxies/nope/toxics/x", TOKEN, null, 404);
    expect(HttpMethod.GET, "/forecasts/nope/versions", null, null, 404);
    expect(HttpMethod.POST, "/forecasts/nope/rollback", TOKEN, "{\"version\": 1}", 404);
    expect(HttpMethod.POST, "/forecasts/nope/rollback", TOKEN, "{\"version\": \"one\"}", 400);

    // duplicates
    String proxy = "{\"name\": \"t1\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:" + upstream + "\"}";
    expect(HttpMethod.POST, "/tcp-proxies", TOKEN, proxy, 201);
    expect(HttpMethod.POST, "/tcp-proxies", TOKEN, proxy, 409);
    String toxic = "{\"name\": \"slow\", \"type\": \"latency\", \"attributes\": {\"latency\": 5}}";
    expect(HttpMethod.POST, "/tcp-proxies/t1/toxics", TOKEN, toxic, 201);
    expect(HttpMethod.POST, "/tcp-proxies/t1/toxics", TOKEN, toxic, 409);

    // a body over the 1 MiB limit
    expect(HttpMethod.POST, "/faults", TOKEN, "{\"name\": \"" + "x".repeat(1100 * 1024) + "\"}", 413);

    assertThat(violations).isEmpty();
  }

  @Test
  void aKnownPathWithAnotherMethodIs405NamingTheAllowedOnes() {
    Reply reply = call(HttpMethod.DELETE, "/clusters/a", TOKEN, null);
    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.headers().get("allow")).isEqualTo("GET, HEAD");
    assertThat(new JsonObject(reply.body()).getString("error")).isEqualTo("method_not_allowed");
    Reply faults = call(HttpMethod.PUT, "/faults", TOKEN, "{}");
    assertThat(faults.status()).isEqualTo(405);
    assertThat(faults.headers().get("allow")).isEqualTo("GET, HEAD, POST");
    assertThat(call(HttpMethod.GET, "/nothing/here", null, null).status()).isEqualTo(404);
  }

  /** Load balancers' health checks often use HEAD: every GET resource answers it, without a body. */
  @Test
  void headIsGetWithoutTheBody() {
    Reply health = call(HttpMethod.HEAD, "/healthz", null, null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body()).isEmpty();
    assertThat(health.headers().get("content-type")).isEqualTo("application/json");
    assertThat(call(HttpMethod.HEAD, "/clusters/a", null, null).status()).isEqualTo(200);
    assertThat(call(HttpMethod.HEAD, "/clusters/nope", null, null).status()).isEqualTo(404);
    assertThat(call(HttpMethod.HEAD, "/config/reload", null, null).status()).isEqualTo(405);
  }

  /**
   * The dashboard page reads only documented GET calls (so it cannot drift from the API), and writes what they
   * answer as text, never as HTML.
   */
  @Test
  void theDashboardReadsDocumentedCallsAndWritesTextOnly() {
    Reply page = call(HttpMethod.GET, "/dashboard", null, null);
    assertThat(page.headers().get("content-type")).startsWith("text/html");
    assertThat(page.headers().get("content-security-policy")).contains("default-src 'none'").contains("frame-ancestors 'none'");
    java.util.regex.Matcher reads = Pattern.compile("get\\(\"(/[^\"]*)\"\\)").matcher(page.body());
    Set<String> paths = new TreeSet<>();
    while (reads.find()) paths.add(reads.group(1));
    assertThat(paths).contains("/clusters", "/signals", "/scaling", "/anomalies", "/faults", "/cache/stats");
    for (String path : paths) {
      assertThat(documentedOperations()).as("the dashboard reads " + path).contains("GET " + path);
      assertThat(call(HttpMethod.GET, path, null, null).status()).as(path).isEqualTo(200);
    }
    assertThat(page.body()).doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML");
  }

  /** Swagger's parser, as code generators and Swagger UI read the document, finds nothing to complain about. */
  @Test
  void theDocumentParsesWithoutMessages() {
    assertThat(new OpenAPIV3Parser().readContents(openApiDocument()).getMessages()).isEmpty();
  }

  /** The reverse direction: a route the server has that the document does not list is a defect too. */
  @Test
  void everyRouteTheServerHasIsDocumented() {
    Set<String> served = new TreeSet<>();
    for (Route route : sidecar.adminRouter().getRoutes()) {
      if (route.getPath() == null || route.methods() == null) continue; // the filters and the catch-all
      String path = route.getPath().replaceAll(":(\\w+)", "{$1}");
      route.methods().forEach(m -> served.add(m.name() + " " + path));
    }
    assertThat(served).isNotEmpty();
    assertThat(documentedOperations()).containsAll(served);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A call that must succeed (2xx, or a 3xx redirect) with a request and response both as documented; returns the JSON body. */
  private JsonObject ok(HttpMethod method, String path, String body) {
    String token = method == HttpMethod.GET ? null : TOKEN;
    Reply reply = call(method, path, token, body);
    SimpleRequest request = request(method, path, token, body);
    record("request and response", method, path, reply, validator.validate(request, response(reply)));
    if (reply.status() >= 400) {
      violations.add(method + " " + path + ": " + reply.status() + " " + reply.body());
    } else {
      succeeded.add(method + " " + template(path));
    }
    return reply.body().startsWith("{") ? new JsonObject(reply.body()) : new JsonObject();
  }

  /** A call expected to answer {@code status}, with a documented response (its request may be deliberately bad). */
  private void expect(HttpMethod method, String path, String token, String body, int status) {
    Reply reply = call(method, path, token, body);
    if (reply.status() != status) {
      violations.add(method + " " + path + " " + abbreviate(body) + ": expected " + status + ", got " + reply.status()
          + " " + abbreviate(reply.body()));
    }
    record("response", method, path, reply,
        validator.validateResponse(path, Request.Method.valueOf(method.name()), response(reply)));
  }

  private void record(String what, HttpMethod method, String path, Reply reply, ValidationReport report) {
    if (reply.status() >= 500) violations.add(method + " " + path + ": " + reply.status() + " " + reply.body());
    report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR).forEach(m ->
        violations.add(method + " " + path + " -> " + reply.status() + " (" + what + "): " + m.getKey() + ": "
            + m.getMessage()));
  }

  private static SimpleRequest request(HttpMethod method, String path, String token, String body) {
    SimpleRequest.Builder builder = new SimpleRequest.Builder(method.name(), path);
    if (token != null) builder.withAuthorization("Bearer " + token);
    if (body != null) builder.withContentType("application/json").withBody(body);
    return builder.build();
  }

  private static SimpleResponse response(Reply reply) {
    SimpleResponse.Builder builder = new SimpleResponse.Builder(reply.status());
    reply.headers().names().forEach(name -> builder.withHeader(name, reply.headers().getAll(name)));
    if (!reply.body().isEmpty()) builder.withBody(reply.body());
    return builder.build();
  }

  private Reply call(HttpMethod method, String path, String token, String body) {
    return http.call(method, adminPort, path, token, body);
  }

  private Set<String> documentedOperations() {
    Set<String> out = new TreeSet<>();
    api.getPaths().forEach((path, item) ->
        item.readOperationsMap().keySet().forEach(m -> out.add(m.name() + " " + path)));
    return out;
  }

  /** The documented path template a concrete path fills in. */
  private String template(String path) {
    if (api.getPaths().containsKey(path)) return path;
    for (String templated : api.getPaths().keySet()) {
      String regex = "\\Q" + templated.replaceAll("\\{\\w+}", "\\\\E[^/]+\\\\Q") + "\\E";
      if (Pattern.matches(regex, path)) return templated;
    }
    return path;
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
