package io.sidecar.admin;

import io.sidecar.fault.FaultInjection;
import io.sidecar.fault.FaultLimitExceededException;
import io.sidecar.fault.SpecTrees;
import io.sidecar.fault.parse.ExperimentSpecParser;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.parse.FieldError;
import io.sidecar.fault.parse.KnownNames;
import io.sidecar.fault.parse.ParseResult;
import io.sidecar.fault.tcp.TcpProxySpecParser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * Faults, experiments, the emergency stop and TCP proxies (shapes in the fault-injection module's README; the
 * fixed ones in ../shared/contract/control-api.md). Every body is validated whole before anything is applied.
 */
final class FaultRoutes {
  /** The actor recorded in the audit log for changes made with the admin token. */
  static final String ACTOR = "admin-token";

  private final Supplier<FaultInjection> faults;
  /** The routes and clusters of the config serving, which a new fault or experiment may name. */
  private final Supplier<KnownNames> names;

  FaultRoutes(Supplier<FaultInjection> faults, Supplier<KnownNames> names) {
    this.faults = faults;
    this.names = names;
  }

  void mount(Router router) {
    router.get("/faults").handler(ctx -> {
      JsonArray out = new JsonArray();
      faults.get().registry().list().forEach(f -> out.add(new JsonObject(SpecTrees.activeFault(f))));
      AdminApi.json(ctx, 200, new JsonObject().put("faults", out));
    });
    router.post("/faults/stop-all").handler(ctx ->
        AdminApi.json(ctx, 200, new JsonObject().put("stopped", faults.get().stopAll(ACTOR))));
    router.get("/faults/audit").handler(ctx -> {
      JsonArray out = new JsonArray();
      SpecTrees.audit(faults.get().audit().recent(100)).forEach(e -> out.add(new JsonObject(e)));
      AdminApi.json(ctx, 200, new JsonObject().put("audit", out));
    });
    router.post("/faults").handler(ctx -> {
      Map<String, Object> body = body(ctx);
      var spec = valid(FaultSpecParser.parse(body, ""));
      // A route or cluster the config lacks now may come with a reload: the fault is added (the call's contract is
      // 201), and the answer says it matches nothing yet.
      java.util.List<FieldError> unknown = names.get().checkFault(body, "");
      try {
        var added = faults.get().registry().add(spec, ACTOR);
        JsonObject answer = new JsonObject().put("id", added.id());
        if (!unknown.isEmpty()) {
          JsonArray warnings = new JsonArray();
          unknown.forEach(e -> warnings.add(e + "; the fault matches nothing until the config has it"));
          answer.put("warnings", warnings);
        }
        AdminApi.json(ctx, 201, answer);
      } catch (FaultLimitExceededException e) {
        throw new ApiError(409, "too_many_faults", e.getMessage());
      }
    });
    router.get("/faults/:id").handler(ctx -> AdminApi.json(ctx, 200, new JsonObject(SpecTrees.activeFault(
        faults.get().registry().get(ctx.pathParam("id"))
            .orElseThrow(() -> ApiError.notFound("no fault with id " + ctx.pathParam("id")))))));
    router.delete("/faults/:id").handler(ctx -> {
      if (!faults.get().registry().remove(ctx.pathParam("id"), ACTOR)) {
        throw ApiError.notFound("no fault with id " + ctx.pathParam("id"));
      }
      ctx.response().setStatusCode(204).end();
    });

    router.get("/experiments").handler(ctx -> {
      JsonArray out = new JsonArray();
      faults.get().experiments().list().forEach(v -> out.add(new JsonObject(SpecTrees.experiment(v))));
      AdminApi.json(ctx, 200, new JsonObject().put("experiments", out));
    });
    router.post("/experiments").handler(ctx -> {
      Map<String, Object> body = body(ctx);
      var spec = valid(ExperimentSpecParser.parse(body, ""));
      known(names.get().checkExperiment(body, ""));
      try {
        AdminApi.json(ctx, 201, new JsonObject(SpecTrees.experiment(faults.get().experiments().start(spec, ACTOR))));
      } catch (FaultLimitExceededException e) {
        throw new ApiError(409, "too_many_faults", e.getMessage());
      }
    });
    router.post("/experiments/:id/stop").handler(ctx -> AdminApi.json(ctx, 200, new JsonObject(SpecTrees.experiment(
        faults.get().experiments().stop(ctx.pathParam("id"), ACTOR)
            .orElseThrow(() -> ApiError.notFound("no experiment with id " + ctx.pathParam("id")))))));

    router.get("/tcp-proxies").handler(ctx -> {
      JsonArray out = new JsonArray();
      faults.get().tcpProxies().list().forEach(p -> out.add(new JsonObject(SpecTrees.tcpProxy(p))));
      AdminApi.json(ctx, 200, new JsonObject().put("tcp_proxies", out));
    });
    router.post("/tcp-proxies").handler(ctx -> {
      var spec = valid(TcpProxySpecParser.parseProxy(body(ctx), ""));
      faults.get().tcpProxies().create(spec, ACTOR).onComplete(ar -> {
        if (ar.succeeded()) AdminApi.json(ctx, 201, new JsonObject(SpecTrees.tcpProxy(ar.result())));
        else if (ar.cause() instanceof IllegalStateException e) ApiError.send(ctx, 409, "conflict", e.getMessage(), null);
        else ApiError.send(ctx, 400, "bad_request", String.valueOf(ar.cause().getMessage()), null);
      });
    });
    router.delete("/tcp-proxies/:name").handler(ctx -> faults.get().tcpProxies().delete(ctx.pathParam("name"), ACTOR)
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result()) ctx.response().setStatusCode(204).end();
          else ApiError.send(ctx, 404, "not_found", "no tcp proxy named " + ctx.pathParam("name"), null);
        }));
    router.post("/tcp-proxies/:name/toxics").handler(ctx -> {
      var toxic = valid(TcpProxySpecParser.parseToxic(body(ctx), ""));
      try {
        faults.get().tcpProxies().addToxic(ctx.pathParam("name"), toxic, ACTOR);
      } catch (NoSuchElementException e) {
        throw ApiError.notFound("no tcp proxy named " + ctx.pathParam("name"));
      } catch (IllegalArgumentException e) {
        throw new ApiError(409, "conflict", e.getMessage());
      }
      AdminApi.json(ctx, 201, new JsonObject(SpecTrees.toxic(toxic)));
    });
    router.delete("/tcp-proxies/:name/toxics/:toxic").handler(ctx -> {
      if (!faults.get().tcpProxies().removeToxic(ctx.pathParam("name"), ctx.pathParam("toxic"), ACTOR)) {
        throw ApiError.notFound("no toxic " + ctx.pathParam("toxic") + " on " + ctx.pathParam("name"));
      }
      ctx.response().setStatusCode(204).end();
    });
  }

  private static Map<String, Object> body(RoutingContext ctx) {
    return AdminApi.bodyTree(ctx);
  }

  private static <T> T valid(ParseResult<T> result) {
    if (!result.ok()) throw new ApiError(400, "invalid", result.describeErrors());
    return result.value();
  }

  /**
   * 400 when an experiment names a route or cluster the config does not have (nothing is applied): it runs for a
   * bounded time, so its faults would do nothing and a halt condition on such a route would never fire.
   */
  private static void known(java.util.List<FieldError> unknown) {
    valid(new ParseResult<>(null, unknown));
  }
}
