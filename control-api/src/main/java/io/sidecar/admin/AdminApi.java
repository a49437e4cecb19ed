package io.sidecar.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidecar.config.ConfigError;
import io.sidecar.config.ConfigException;
import io.sidecar.config.ConfigStore;
import io.sidecar.config.EffectiveConfig;
import io.sidecar.config.HostPort;
import io.sidecar.config.ListenerSpec;
import io.sidecar.config.RouteSpec;
import io.sidecar.balancer.breaker.CircuitBreaker;
import io.sidecar.balancer.breaker.CircuitBreakerState;
import io.sidecar.proxy.ProxyRuntime;
import io.sidecar.proxy.UpstreamCluster;
import io.sidecar.proxy.tls.CertificateInfo;
import io.sidecar.proxy.tls.ListenerTls;
import io.sidecar.proxy.tls.WatchedTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin REST API (vertx-web). Reads are open; every mutation needs the bearer token (401 otherwise, and
 * nothing changes). Errors are JSON {@code {"error","detail"}}; bad JSON or values give 400 with nothing applied.
 */
public final class AdminApi {
  private static final Set<HttpMethod> MUTATIONS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH);

  private final ConfigControl config;
  private final ProxyRuntime runtime;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;
  private final java.util.function.Supplier<String> token;
  private final Buffer openApi;
  private final Buffer dashboard;

  /** {@code token} gives the admin token in force (it may change with a reload). */
  public AdminApi(ConfigControl config, ProxyRuntime runtime, PrometheusMeterRegistry registry, BooleanSupplier ready,
                  java.util.function.Supplier<String> token) {
    this.config = config;
    this.token = token;
    this.runtime = runtime;
    this.registry = registry;
    this.ready = ready;
    this.openApi = resource("openapi.yaml");
    this.dashboard = resource("dashboard.html");
  }

  private io.sidecar.cache.HttpCache cache;

  /** Serves {@code POST /cache/purge} and {@code GET /cache/stats} from this cache. */
  public AdminApi withCache(io.sidecar.cache.HttpCache cache) {
    this.cache = cache;
    return this;
  }

  private io.sidecar.predictor.Predictor predictor;
  private io.sidecar.fault.FaultInjection faults;
  private Supplier<Map<String, ListenerTls.Status>> tlsStatus = Map::of;

  private BooleanSupplier draining = () -> false;

  /** {@code GET /readyz} says "draining" rather than "starting" while this holds (a graceful shutdown). */
  public AdminApi withDraining(BooleanSupplier draining) {
    this.draining = draining;
    return this;
  }

  /** {@code GET /listeners} shows the TLS listeners' certificates and rotations from this source. */
  public AdminApi withListenerTls(Supplier<Map<String, ListenerTls.Status>> tlsStatus) {
    this.tlsStatus = tlsStatus;
    return this;
  }

  /** Serves faults, experiments, the emergency stop and TCP proxies. */
  public AdminApi withFaults(io.sidecar.fault.FaultInjection faults) {
    this.faults = faults;
    return this;
  }

  private io.sidecar.fault.FaultInjection faults() {
    if (faults == null) throw ApiError.notFound("no fault injection in this sidecar");
    return faults;
  }

  /** Serves the predictor's views: signals, anomalies, scaling advice, forecasts. */
  public AdminApi withPredictor(io.sidecar.predictor.Predictor predictor) {
    this.predictor = predictor;
    return this;
  }

  private io.sidecar.predictor.Predictor predictor() {
    if (predictor == null) throw ApiError.notFound("no predictor in this sidecar");
    return predictor;
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    // RFC 9110 §9.3.2: HEAD is GET without the body (Vert.x drops the body of a response to HEAD)
    router.route().method(HttpMethod.HEAD).handler(ctx -> ctx.reroute(HttpMethod.GET, ctx.request().uri()));
    router.route().handler(this::authorizeMutations);
    router.route().handler(this::auditMutations);
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
    router.get("/readyz").handler(ctx -> {
      boolean ok = ready.getAsBoolean();
      json(ctx, ok ? 200 : 503, new JsonObject().put("status", ok ? "ready" : draining.getAsBoolean() ? "draining" : "starting"));
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").end(openApi));
    router.get("/").handler(ctx -> ctx.response().setStatusCode(302).putHeader("location", "/dashboard").end());
    router.get("/dashboard").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/html; charset=utf-8")
        // the page's own inline script and style only, reads from this origin only, never framed (its button mutates)
        .putHeader("content-security-policy", "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'")
        .putHeader("cache-control", "no-cache")
        .end(dashboard));
    router.get("/config").handler(ctx -> json(ctx, 200,
        new JsonObject((Map<String, Object>) EffectiveConfig.toPlain(config.store().current().config()))));
    router.get("/config/status").handler(ctx -> json(ctx, 200, status(config.store().status())));
    router.post("/config/reload").handler(this::reload);
    router.get("/routes").handler(ctx -> json(ctx, 200, routes()));
    router.get("/listeners").handler(ctx -> json(ctx, 200, listeners()));
    router.get("/clusters").handler(ctx -> {
      JsonArray out = new JsonArray();
      runtime.snapshot().config().clusters().forEach(c -> out.add(cluster(c.name())));
      json(ctx, 200, new JsonObject().put("clusters", out));
    });
    router.get("/clusters/:name").handler(ctx -> json(ctx, 200, cluster(ctx.pathParam("name"))));
    router.put("/clusters/:name/endpoints").handler(this::replaceEndpoints);
    router.put("/clusters/:name/balancer").handler(this::setStrategy);
    router.post("/clusters/:name/breaker").handler(this::transitionBreaker);
    router.get("/signals").handler(ctx -> json(ctx, 200, plain(predictor().signals().snapshot().toMap())));
    router.get("/signals/snapshot").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(io.sidecar.predictor.peers.PeerSnapshotJson.encode(predictor().localSnapshot())));
    router.get("/audit").handler(ctx -> predictor().history().recentAudit(100).whenComplete((list, err) -> {
      if (err != null) {
        ApiError.send(ctx, 503, "history_unavailable", String.valueOf(err.getMessage()), null);
        return;
      }
      JsonArray entries = new JsonArray();
      list.forEach(e -> entries.add(plain(EffectiveConfig.toPlain(e))));
      json(ctx, 200, new JsonObject().put("audit", entries));
    }));
    router.get("/anomalies").handler(ctx -> {
      JsonArray alerts = new JsonArray();
      predictor().recentAlerts(100).forEach(a -> alerts.add(plain(EffectiveConfig.toPlain(a))));
      json(ctx, 200, new JsonObject().put("alerts", alerts)
          .put("scores", plain(predictor().anomalyScores())));
    });
    router.get("/scaling").handler(ctx -> json(ctx, 200, predictor().scaling()
        .map(advice -> plain(advice.toMap()))
        .orElse(new JsonObject().put("advice", null).put("reason", "not enough traffic observed yet"))));
    router.get("/forecasts").handler(ctx -> {
      JsonObject out = new JsonObject();
      for (String metric : predictor().forecastMetrics()) {
        JsonArray points = new JsonArray();
        predictor().forecast(metric, 30).forEach(f -> points.add(plain(EffectiveConfig.toPlain(f))));
        out.put(metric, points);
      }
      json(ctx, 200, out);
    });
    new FaultRoutes(this::faults, () -> {
      var config = runtime.snapshot().config();
      return new io.sidecar.fault.parse.KnownNames(config.routeNames(), config.clusterNames());
    }).mount(router);
    router.get("/forecasts/:metric/versions").handler(ctx -> {
      String metric = ctx.pathParam("metric");
      var forecaster = predictor().forecaster(metric)
          .orElseThrow(() -> ApiError.notFound("no forecast metric " + metric));
      JsonArray versions = new JsonArray();
      predictor().modelVersions(metric).forEach(v -> versions.add(plain(EffectiveConfig.toPlain(v))));
      json(ctx, 200, new JsonObject().put("metric", metric).put("versions", versions)
          .put("accuracy", plain(EffectiveConfig.toPlain(forecaster.accuracy()))));
    });
    router.post("/forecasts/:metric/rollback").handler(ctx -> {
      String metric = ctx.pathParam("metric");
      if (!(bodyObject(ctx).getValue("version") instanceof Integer version)) {
        throw ApiError.badRequest("version: must be a model version id (a whole number)");
      }
      try {
        json(ctx, 200, plain(EffectiveConfig.toPlain(predictor().rollback(metric, version))));
      } catch (IllegalArgumentException e) {
        throw ApiError.notFound(e.getMessage());
      }
    });
    router.post("/cache/purge").handler(this::purge);
    router.get("/cache/stats").handler(ctx -> {
      if (cache == null) throw ApiError.notFound("no cache in this sidecar");
      json(ctx, 200, new JsonObject(cache.stats()));
    });
    MethodsByPath methods = MethodsByPath.of(router);
    router.route().last().handler(ctx -> {
      String allowed = methods.allowed(ctx.request().path());
      if (allowed.isEmpty()) {
        ApiError.send(ctx, 404, "not_found", "no API at " + ctx.request().method() + " " + ctx.request().path(), null);
      } else {
        // RFC 9110 §15.5.6: a 405 names the methods the resource has
        ctx.response().putHeader("allow", allowed);
        ApiError.send(ctx, 405, "method_not_allowed",
            ctx.request().method() + " is not allowed on " + ctx.request().path() + "; allowed: " + allowed, null);
      }
    });
    router.route().failureHandler(this::failure);
    return router;
  }

  private void authorizeMutations(RoutingContext ctx) {
    if (MUTATIONS.contains(ctx.request().method())
        && !BearerTokenCheck.allows(token.get(), ctx.request().getHeader("authorization"))) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"sidecar\"");
      ApiError.send(ctx, 401, "unauthorized", "this call needs Authorization: Bearer <admin token>", null);
      return;
    }
    ctx.next();
  }

  /**
   * Every accepted mutation goes to the history's audit log (PostgreSQL when configured). Faults, experiments and
   * TCP proxies are audited by the fault module itself, with why an experiment ended.
   */
  private void auditMutations(RoutingContext ctx) {
    String path = ctx.request().path();
    if (predictor != null && MUTATIONS.contains(ctx.request().method()) && !path.startsWith("/faults")
        && !path.startsWith("/experiments") && !path.startsWith("/tcp-proxies")) {
      String action = ctx.request().method() + " " + path;
      ctx.addBodyEndHandler(v -> {
        int status = ctx.response().getStatusCode();
        if (status < 400) {
          String body = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString();
          predictor.history().appendAudit(new io.sidecar.predictor.history.AuditEntry(java.time.Instant.now(),
              FaultRoutes.ACTOR, action, path, body.length() > 2000 ? body.substring(0, 2000) : body));
        }
      });
    }
    ctx.next();
  }

  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError e) {
      ApiError.send(ctx, e.status, e.code, e.getMessage(), null);
    } else if (failure instanceof DecodeException e) {
      ApiError.send(ctx, 400, "bad_json", "request body is not valid JSON: " + e.getMessage(), null);
    } else if (ctx.statusCode() == 413) {
      ApiError.send(ctx, 413, "too_large", "request body over 1MiB", null);
    } else {
      ApiError.send(ctx, 500, "internal", String.valueOf(failure), null);
    }
  }

  private void reload(RoutingContext ctx) {
    config.reload().onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, new JsonObject().put("version", ar.result().version())
            .put("pending_restart", new JsonArray(config.store().status().pendingRestart())));
      } else if (ar.cause() instanceof ConfigException e) {
        ApiError.send(ctx, 400, "invalid_config", e.errors().size() + " error(s); the previous config keeps serving",
            new JsonObject().put("errors", errors(e.errors())));
      } else {
        ApiError.send(ctx, 500, "reload_failed", String.valueOf(ar.cause().getMessage()), null);
      }
    });
  }

  static JsonObject status(ConfigStore.Status status) {
    return new JsonObject()
        .put("version", status.current().version())
        .put("loaded_at", status.current().loadedAt().toString())
        .put("last_attempt_at", status.lastAttemptAt().toString())
        .put("last_attempt_accepted", status.lastAttemptAccepted())
        .put("last_rejection", errors(status.lastRejection()))
        .put("pending_restart", new JsonArray(status.pendingRestart()));
  }

  private static JsonArray errors(List<ConfigError> errors) {
    JsonArray out = new JsonArray();
    errors.forEach(e -> out.add(new JsonObject().put("path", e.path()).put("line", e.line())
        .put("message", e.message()).put("text", e.toString())));
    return out;
  }

  private JsonObject routes() {
    JsonArray out = new JsonArray();
    for (RouteSpec r : runtime.snapshot().config().routes()) {
      out.add(new JsonObject((Map<String, Object>) EffectiveConfig.toPlain(r)));
    }
    return new JsonObject().put("routes", out);
  }

  /** Each listener of the configuration in force; a TLS one with the certificate it serves and its rotations. */
  private JsonObject listeners() {
    Map<String, ListenerTls.Status> tls = tlsStatus.get();
    JsonArray out = new JsonArray();
    for (ListenerSpec l : runtime.snapshot().config().listeners()) {
      JsonObject listener = new JsonObject().put("name", l.name()).put("address", l.address().toString());
      ListenerTls.Status status = tls.get(l.name());
      if (status == null) {
        listener.put("protocols", l.h2c() ? new JsonArray().add("http/1.1").add("h2c") : new JsonArray().add("http/1.1"));
      } else {
        listener.put("protocols", new JsonArray().add("http/1.1").add("h2")).put("tls", tls(status));
      }
      out.add(listener);
    }
    return new JsonObject().put("listeners", out);
  }

  private static JsonObject tls(ListenerTls.Status status) {
    return new JsonObject()
        .put("versions", new JsonArray(status.spec().protocols()))
        .put("ciphers", status.spec().ciphers().isEmpty() ? "default" : new JsonArray(status.spec().ciphers()))
        .put("client_certificates", status.spec().clientCa() == null ? "not requested" : "required")
        .mergeIn(files(status.files()));
  }

  /** A certificate in service and its rotations ({@code GET /listeners}, {@code GET /clusters/{name}}). */
  private static JsonObject files(WatchedTls.Status status) {
    CertificateInfo cert = status.certificate();
    JsonObject out = new JsonObject();
    if (cert != null) {
      out.put("certificate", new JsonObject()
          .put("subject", cert.subject())
          .put("subject_alt_names", new JsonArray(cert.subjectAltNames()))
          .put("issuer", cert.issuer())
          .put("not_before", cert.notBefore().toString())
          .put("not_after", cert.notAfter().toString())
          .put("sha256", cert.sha256()));
    }
    return out.put("loaded_at", status.loadedAt().toString())
        .put("rotations", status.rotations())
        .put("rejected_rotations", status.rejections())
        .put("last_error", status.lastError())
        .put("last_error_at", status.lastErrorAt() == null ? null : status.lastErrorAt().toString());
  }

  private UpstreamCluster upstream(String name) {
    UpstreamCluster cluster = runtime.snapshot().cluster(name);
    if (cluster == null) throw ApiError.notFound("no cluster named '" + name + "'");
    return cluster;
  }

  /** The balancer's explainable view: per endpoint predicted latency, traffic share, confidence, why avoided. */
  private JsonObject cluster(String name) {
    UpstreamCluster cluster = upstream(name);
    JsonObject out = plain(EffectiveConfig.toPlain(cluster.balancer().snapshot()));
    if (cluster.tlsStatus() != null) out.put("tls", files(cluster.tlsStatus()));
    return out.put("protocol", cluster.spec().protocol()).put("configured_balancer", cluster.spec().balancer());
  }

  /** Body: one of {@code {"key": URL}}, {@code {"prefix": "/p/"}}, {@code {"glob": "/a/*"}}, {@code {"tag": "t"}}, {@code {"all": true}}. */
  private void purge(RoutingContext ctx) {
    if (cache == null) throw ApiError.notFound("no cache in this sidecar");
    Map<String, Object> body = bodyTree(ctx);
    cache.purge(body).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, new JsonObject().put("purged", ar.result()));
      } else if (ar.cause() instanceof io.sidecar.cache.InvalidPurgeException e) {
        ApiError.send(ctx, 400, "invalid_purge", e.getMessage(), null); // the message starts with the field
      } else {
        ApiError.send(ctx, 500, "purge_failed", String.valueOf(ar.cause().getMessage()), null);
      }
    });
  }

  /** Body {@code {"strategy": "p2c_peak_ewma"}}: switches the strategy until the next reload. */
  private void setStrategy(RoutingContext ctx) {
    UpstreamCluster cluster = upstream(ctx.pathParam("name"));
    Object strategy = bodyObject(ctx).getValue("strategy");
    if (!(strategy instanceof String name)) throw ApiError.badRequest("strategy: is required (a balancer name)");
    try {
      cluster.balancer().setStrategy(name);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("strategy: " + e.getMessage());
    }
    json(ctx, 200, cluster(cluster.name()));
  }

  /**
   * Body {@code {"state": "forced_open"}} (closed, open, half_open, disabled, forced_open, metrics_only) and
   * optionally {@code "endpoint": "host:port"} for an endpoint's own breaker.
   */
  private void transitionBreaker(RoutingContext ctx) {
    UpstreamCluster cluster = upstream(ctx.pathParam("name"));
    JsonObject body = bodyObject(ctx);
    if (!(body.getValue("state") instanceof String state)) throw ApiError.badRequest("state: is required");
    CircuitBreakerState target;
    try {
      target = CircuitBreakerState.parse(state);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("state: " + e.getMessage());
    }
    CircuitBreaker breaker;
    if (body.getValue("endpoint") instanceof String endpoint) {
      breaker = cluster.balancer().endpointBreaker(endpoint)
          .orElseThrow(() -> ApiError.notFound("endpoint " + endpoint + " has no breaker of its own"));
    } else {
      breaker = cluster.balancer().clusterBreaker();
    }
    breaker.transitionTo(target);
    json(ctx, 200, cluster(cluster.name()));
  }

  /** Body: {@code {"endpoints": [{"address": "host:port", "weight": 1}, ...]}}; all validated before any change. */
  private void replaceEndpoints(RoutingContext ctx) {
    String name = upstream(ctx.pathParam("name")).name();
    JsonObject body = bodyObject(ctx);
    Object list = body.getValue("endpoints");
    if (!(list instanceof JsonArray items)) throw ApiError.badRequest("endpoints: must be a list");
    List<io.sidecar.balancer.Endpoint> endpoints = new ArrayList<>();
    Set<HostPort> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String where = "endpoints[" + i + "]";
      if (!(items.getValue(i) instanceof JsonObject item)) throw ApiError.badRequest(where + ": must be an object");
      if (!(item.getValue("address") instanceof String address)) throw ApiError.badRequest(where + ".address: is required");
      HostPort hp;
      try {
        hp = HostPort.parse(address);
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(where + ".address: " + e.getMessage());
      }
      if (hp.port() < 1 || hp.port() > 65535) throw ApiError.badRequest(where + ".address.port: must be 1..65535");
      Object weight = item.getValue("weight", 1);
      if (!(weight instanceof Integer w) || w < 1) throw ApiError.badRequest(where + ".weight: must be a whole number >= 1");
      if (!seen.add(hp)) throw ApiError.badRequest(where + ".address: duplicate endpoint " + hp);
      endpoints.add(io.sidecar.balancer.Endpoint.of(hp.toString(), w));
    }
    runtime.replaceEndpoints(name, endpoints);
    json(ctx, 200, cluster(name));
  }

  /** A tree of maps, lists and numbers as JSON; NaN and infinities (no data yet) become null. */
  @SuppressWarnings("unchecked")
  static JsonObject plain(Object tree) {
    return new JsonObject((Map<String, Object>) finite(tree));
  }

  private static Object finite(Object value) {
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) return null;
    if (value instanceof Float f && (f.isNaN() || f.isInfinite())) return null;
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), finite(v)));
      return out;
    }
    if (value instanceof java.util.Collection<?> c) {
      List<Object> out = new ArrayList<>();
      c.forEach(v -> out.add(finite(v)));
      return out;
    }
    if (value instanceof java.time.Instant i) return i.toString();
    return value;
  }

  /** A JSON body as plain maps and lists (what the modules' parsers read, like a YAML tree). */
  static Map<String, Object> bodyTree(RoutingContext ctx) {
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) unwrap(bodyObject(ctx));
    return tree;
  }

  private static Object unwrap(Object value) {
    if (value instanceof JsonObject o) value = o.getMap();
    if (value instanceof JsonArray a) value = a.getList();
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), unwrap(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(unwrap(v)));
      return out;
    }
    return value;
  }

  static JsonObject bodyObject(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) throw ApiError.badRequest("a JSON object body is required");
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(raw);
    } catch (RuntimeException e) {
      throw new ApiError(400, "bad_json", "request body is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof JsonObject object)) throw ApiError.badRequest("the body must be a JSON object");
    return object;
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
  }

  private static Buffer resource(String name) {
    try (InputStream in = AdminApi.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
