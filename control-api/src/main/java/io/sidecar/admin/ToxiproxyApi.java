package io.sidecar.admin;

import io.sidecar.fault.tcp.TcpProxies;
import io.sidecar.fault.tcp.TcpProxy;
import io.sidecar.fault.tcp.TcpProxySpec;
import io.sidecar.fault.tcp.ToxicSpec;
import io.sidecar.fault.tcp.ToxicStream;
import io.sidecar.fault.tcp.ToxicType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Toxiproxy 2.x's HTTP API over the sidecar's TCP proxies, so Toxiproxy clients (toxiproxy-java as Testcontainers
 * uses it, toxiproxy-go, toxiproxy-node-client) drive them unchanged. Same registry as the admin API's
 * {@code /tcp-proxies}: both show the same proxies.
 *
 * <p>Shapes, status codes and units are Toxiproxy's: a proxy is {@code {name, listen, upstream, enabled, toxics}};
 * a toxic {@code {name, type, stream, toxicity, attributes}} with attributes in Toxiproxy's units (latency, jitter,
 * delay, timeout in ms; the slicer's delay in µs; bandwidth's rate in KB/s = 1000 bytes/s; sizes in bytes); errors
 * {@code {"error": "...", "status": N}}. Creating a toxic answers 200 (as Toxiproxy, whose clients check for it),
 * creating a proxy 201, populate 201, deletes and reset 204. Unknown fields are ignored, as Go's decoder does.
 *
 * <p>No token, as Toxiproxy has none: it binds where {@code toxiproxy_api.address} says; keep it on loopback.
 * As Toxiproxy, requests whose User-Agent starts with {@code Mozilla/} are refused (403), so a web page cannot
 * drive it from a browser.
 */
public final class ToxiproxyApi {
  /** The Toxiproxy version whose API this follows; build metadata names the implementation. */
  public static final String VERSION = "2.12.0+sidecar";
  /** The actor recorded in the fault audit log for changes made through this API. */
  static final String ACTOR = "toxiproxy-api";

  private static final Set<String> TYPES = Set.of("latency", "bandwidth", "slow_close", "timeout", "reset_peer",
      "slicer", "limit_data");

  private final Supplier<TcpProxies> proxies;

  public ToxiproxyApi(Supplier<TcpProxies> proxies) {
    this.proxies = proxies;
  }

  /** A failed call: Toxiproxy's error body. */
  static final class Failure extends RuntimeException {
    final int status;

    Failure(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private static Failure badBody(String detail) {
    return new Failure(400, "bad request body: " + detail);
  }

  private static Failure proxyNotFound() {
    return new Failure(404, "proxy not found");
  }

  public Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      String agent = ctx.request().getHeader("user-agent");
      if (agent != null && agent.startsWith("Mozilla/")) {
        ctx.response().setStatusCode(403).putHeader("content-type", "text/plain; charset=utf-8")
            .end("User agent not allowed\n");
        return;
      }
      ctx.next();
    });
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.get("/version").handler(ctx -> ctx.response().putHeader("content-type", "application/json;charset=utf-8")
        .end("{\"version\": \"" + VERSION + "\"}\n"));
    router.post("/reset").handler(this::reset);
    router.get("/proxies").handler(ctx -> {
      JsonObject out = new JsonObject();
      proxies.get().list().stream().sorted(java.util.Comparator.comparing(TcpProxy::name))
          .forEach(p -> out.put(p.name(), proxyJson(p)));
      json(ctx, 200, out);
    });
    router.post("/proxies").handler(this::createProxy);
    router.post("/populate").handler(this::populate);
    router.get("/proxies/:proxy").handler(ctx -> json(ctx, 200, proxyJson(proxy(ctx))));
    router.post("/proxies/:proxy").handler(this::updateProxy);
    router.patch("/proxies/:proxy").handler(this::updateProxy);
    router.delete("/proxies/:proxy").handler(ctx -> proxies.get().delete(ctx.pathParam("proxy"), ACTOR)
        .onComplete(ar -> {
          if (ar.failed()) error(ctx, 500, String.valueOf(ar.cause().getMessage()));
          else if (!ar.result()) error(ctx, 404, "proxy not found");
          else ctx.response().setStatusCode(204).end();
        }));
    router.get("/proxies/:proxy/toxics").handler(ctx -> {
      JsonArray out = new JsonArray();
      ordered(proxy(ctx).toxics()).forEach(t -> out.add(toxicJson(t)));
      json(ctx, 200, out);
    });
    router.post("/proxies/:proxy/toxics").handler(this::createToxic);
    router.get("/proxies/:proxy/toxics/:toxic").handler(ctx -> json(ctx, 200, toxicJson(toxic(proxy(ctx), ctx))));
    router.post("/proxies/:proxy/toxics/:toxic").handler(this::updateToxic);
    router.patch("/proxies/:proxy/toxics/:toxic").handler(this::updateToxic);
    router.delete("/proxies/:proxy/toxics/:toxic").handler(ctx -> {
      TcpProxy p = proxy(ctx);
      if (!proxies.get().removeToxic(p.name(), ctx.pathParam("toxic"), ACTOR)) throw new Failure(404, "toxic not found");
      ctx.response().setStatusCode(204).end();
    });
    router.errorHandler(404, ctx -> error(ctx, 404, "no Toxiproxy API at " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method " + ctx.request().method() + " not allowed on "
        + ctx.request().path()));
    router.route().failureHandler(ctx -> {
      Throwable failure = ctx.failure();
      if (failure instanceof Failure f) error(ctx, f.status, f.getMessage());
      else if (ctx.statusCode() == 413) error(ctx, 413, "request body over 1MiB");
      else error(ctx, 500, String.valueOf(failure));
    });
    return router;
  }

  // ---- proxies ----

  private TcpProxy proxy(RoutingContext ctx) {
    return proxies.get().get(ctx.pathParam("proxy")).orElseThrow(ToxiproxyApi::proxyNotFound);
  }

  /** A proxy as the request gives it, after validation (nothing is applied before every field is read). */
  private record ProxyInput(String name, Address listen, Address upstream, boolean enabled) {}

  private record Address(String host, int port) {
    @Override
    public String toString() {
      return format(host, port);
    }
  }

  static String format(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * {@code host:port}; an empty host ({@code :8666}) means every interface, as Go's listener does. An absent or
   * empty listen means any free port on loopback (Toxiproxy would take every interface; see the README).
   */
  private static Address address(Object value, String field, boolean listen) {
    if (value == null || "".equals(value)) {
      if (listen) return new Address("127.0.0.1", 0);
      throw new Failure(400, "missing required field: " + field);
    }
    if (!(value instanceof String text)) throw badBody(field + ": must be a string (host:port)");
    int colon = text.lastIndexOf(':');
    if (colon < 0 || colon == text.length() - 1) throw badBody(field + ": must be host:port, was '" + text + "'");
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty()) {
      if (!listen) throw badBody(field + ": must name a host, was '" + text + "'");
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw badBody(field + ": port must be a number, was '" + text.substring(colon + 1) + "'");
    }
    if (port < (listen ? 0 : 1) || port > 65535) {
      throw badBody(field + ": port must be between " + (listen ? 0 : 1) + " and 65535, was " + port);
    }
    return new Address(host, port);
  }

  private static ProxyInput proxyInput(JsonObject body, String where) {
    Object name = body.getValue("name");
    if (name != null && !(name instanceof String)) throw badBody("name" + where + ": must be a string");
    if (name == null || ((String) name).isEmpty()) throw new Failure(400, "missing required field: name" + where);
    Object upstream = body.getValue("upstream");
    if (upstream == null || "".equals(upstream)) throw new Failure(400, "missing required field: upstream" + where);
    Object enabled = body.getValue("enabled", Boolean.TRUE);
    if (!(enabled instanceof Boolean on)) throw badBody("enabled" + where + ": must be true or false");
    return new ProxyInput((String) name, address(body.getValue("listen"), "listen" + where, true),
        address(upstream, "upstream" + where, false), on);
  }

  private static TcpProxySpec spec(ProxyInput in) {
    return new TcpProxySpec(in.name(), in.listen().host(), in.listen().port(), in.upstream().host(),
        in.upstream().port(), List.of());
  }

  private void createProxy(RoutingContext ctx) {
    ProxyInput in = proxyInput(object(ctx), "");
    if (proxies.get().get(in.name()).isPresent()) throw new Failure(409, "proxy already exists");
    proxies.get().create(spec(in), in.enabled(), ACTOR).onComplete(ar -> {
      if (ar.succeeded()) json(ctx, 201, proxyJson(ar.result()));
      else if (ar.cause() instanceof IllegalStateException) error(ctx, 409, "proxy already exists");
      else error(ctx, 500, bindError(in.listen(), ar.cause()));
    });
  }

  private static String bindError(Address listen, Throwable cause) {
    return "listen tcp " + listen + ": " + cause.getMessage();
  }

  /** Toxiproxy's update: listen, upstream and enabled, each defaulting to the proxy's current value. */
  private void updateProxy(RoutingContext ctx) {
    TcpProxy p = proxy(ctx);
    JsonObject body = object(ctx);
    TcpProxySpec now = p.spec();
    Address listen = body.containsKey("listen") ? address(body.getValue("listen"), "listen", true)
        : new Address(now.listenHost(), p.listenPort());
    Address upstream = body.containsKey("upstream") ? address(body.getValue("upstream"), "upstream", false)
        : new Address(now.upstreamHost(), now.upstreamPort());
    Object enabledValue = body.getValue("enabled", p.enabled());
    if (!(enabledValue instanceof Boolean enabled)) throw badBody("enabled: must be true or false");
    boolean moved = !listen.host().equals(now.listenHost()) || listen.port() != p.listenPort()
        || !upstream.host().equals(now.upstreamHost()) || upstream.port() != now.upstreamPort();
    Future<TcpProxy> done = moved
        ? proxies.get().move(p.name(), listen.host(), listen.port(), upstream.host(), upstream.port(), enabled, ACTOR)
        : proxies.get().setEnabled(p.name(), enabled, ACTOR);
    done.onComplete(ar -> {
      if (ar.succeeded()) json(ctx, 200, proxyJson(ar.result()));
      else if (ar.cause() instanceof NoSuchElementException) error(ctx, 404, "proxy not found");
      else if (ar.cause() instanceof IllegalStateException e) error(ctx, 409, e.getMessage());
      else error(ctx, 500, bindError(listen, ar.cause()));
    });
  }

  /**
   * Creates or replaces each listed proxy, in order: one with the same listen and upstream is kept as it is (with
   * its toxics), one that differs is deleted and created anew. Every entry is validated before any is applied.
   */
  private void populate(RoutingContext ctx) {
    Object parsed = parse(ctx);
    if (!(parsed instanceof JsonArray list)) throw badBody("must be a JSON array of proxies");
    List<ProxyInput> inputs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject item)) throw badBody("proxy " + (i + 1) + ": must be an object");
      ProxyInput in = proxyInput(item, " at proxy " + (i + 1));
      if (!names.add(in.name())) throw badBody("duplicate proxy name '" + in.name() + "' at proxy " + (i + 1));
      inputs.add(in);
    }
    List<TcpProxy> done = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (ProxyInput in : inputs) {
      chain = chain.compose(v -> populateOne(in)).map(p -> {
        done.add(p);
        return null;
      });
    }
    chain.onComplete(ar -> {
      JsonArray out = new JsonArray();
      done.forEach(p -> out.add(proxyJson(p)));
      if (ar.succeeded()) {
        json(ctx, 201, new JsonObject().put("proxies", out));
      } else {
        int status = ar.cause() instanceof Failure f ? f.status : 500;
        json(ctx, status, new JsonObject().put("error", ar.cause().getMessage()).put("status", status)
            .put("proxies", out));
      }
    });
  }

  private Future<TcpProxy> populateOne(ProxyInput in) {
    TcpProxies all = proxies.get();
    TcpProxy existing = all.get(in.name()).orElse(null);
    if (existing != null) {
      TcpProxySpec s = existing.spec();
      if (s.listenHost().equals(in.listen().host()) && existing.listenPort() == in.listen().port()
          && s.upstreamHost().equals(in.upstream().host()) && s.upstreamPort() == in.upstream().port()) {
        return Future.succeededFuture(existing);
      }
    }
    Future<Boolean> gone = existing == null ? Future.succeededFuture(false) : all.delete(in.name(), ACTOR);
    return gone.compose(v -> all.create(spec(in), in.enabled(), ACTOR))
        .recover(err -> Future.failedFuture(err instanceof IllegalStateException
            ? new Failure(409, "proxy already exists")
            : new Failure(500, bindError(in.listen(), err))));
  }

  private void reset(RoutingContext ctx) {
    proxies.get().reset(ACTOR).onComplete(ar -> {
      if (ar.succeeded()) ctx.response().setStatusCode(204).end();
      else error(ctx, 500, String.valueOf(ar.cause().getMessage()));
    });
  }

  private static JsonObject proxyJson(TcpProxy p) {
    TcpProxySpec s = p.spec();
    JsonArray toxics = new JsonArray();
    ordered(p.toxics()).forEach(t -> toxics.add(toxicJson(t)));
    return new JsonObject()
        .put("name", p.name())
        .put("listen", format(s.listenHost(), p.listenPort()))
        .put("upstream", format(s.upstreamHost(), s.upstreamPort()))
        .put("enabled", p.enabled())
        .put("toxics", toxics);
  }

  // ---- toxics ----

  /** Upstream toxics, then downstream ones, each in the order added (Toxiproxy lists its chains that way). */
  private static List<ToxicSpec> ordered(List<ToxicSpec> toxics) {
    List<ToxicSpec> out = new ArrayList<>();
    toxics.stream().filter(t -> t.stream() == ToxicStream.UPSTREAM).forEach(out::add);
    toxics.stream().filter(t -> t.stream() != ToxicStream.UPSTREAM).forEach(out::add);
    return out;
  }

  private static ToxicSpec toxic(TcpProxy p, RoutingContext ctx) {
    String name = ctx.pathParam("toxic");
    return p.toxics().stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new Failure(404, "toxic not found"));
  }

  private void createToxic(RoutingContext ctx) {
    TcpProxy p = proxy(ctx);
    JsonObject body = object(ctx);
    Object streamValue = body.getValue("stream", "downstream");
    if (!(streamValue instanceof String streamName)) throw badBody("stream: must be a string");
    ToxicStream stream = switch (streamName.toLowerCase(Locale.ROOT)) {
      case "upstream", "up" -> ToxicStream.UPSTREAM;
      case "downstream", "down", "" -> ToxicStream.DOWNSTREAM;
      default -> throw new Failure(400, "stream was invalid, can be either upstream or downstream");
    };
    Object typeValue = body.getValue("type", "");
    if (!(typeValue instanceof String type)) throw badBody("type: must be a string");
    Object nameValue = body.getValue("name", "");
    if (!(nameValue instanceof String name)) throw badBody("name: must be a string");
    if (name.isEmpty()) name = type + "_" + stream.name().toLowerCase(Locale.ROOT);
    if (!TYPES.contains(type)) throw new Failure(400, "invalid toxic type");
    String toxicName = name;
    if (p.toxics().stream().anyMatch(t -> t.name().equals(toxicName))) throw new Failure(409, "toxic already exists");
    double toxicity = toxicity(body.getValue("toxicity"), 1.0);
    Map<String, Long> attrs = attributes(body.getValue("attributes"), zeroAttributes(type));
    ToxicSpec toxic = build(name, ToxicType.valueOf(type.toUpperCase(Locale.ROOT)), stream, toxicity, attrs);
    try {
      proxies.get().addToxic(p.name(), toxic, ACTOR);
    } catch (NoSuchElementException e) {
      throw proxyNotFound();
    } catch (IllegalArgumentException e) {
      throw new Failure(409, "toxic already exists");
    }
    json(ctx, 200, toxicJson(toxic));
  }

  /** Toxiproxy's toxic update: attributes given replace those values, the others stay; toxicity likewise. */
  private void updateToxic(RoutingContext ctx) {
    TcpProxy p = proxy(ctx);
    ToxicSpec current = toxic(p, ctx);
    JsonObject body = object(ctx);
    if (current.type() == ToxicType.DOWN) throw new Failure(400, "invalid toxic type");
    double toxicity = toxicity(body.getValue("toxicity"), current.toxicity());
    Map<String, Long> attrs = attributes(body.getValue("attributes"), attributesOf(current));
    ToxicSpec updated = build(current.name(), current.type(), current.stream(), toxicity, attrs);
    try {
      proxies.get().updateToxic(p.name(), updated, ACTOR);
    } catch (NoSuchElementException e) {
      throw new Failure(404, e.getMessage().startsWith("no toxic") ? "toxic not found" : "proxy not found");
    }
    json(ctx, 200, toxicJson(updated));
  }

  private static double toxicity(Object value, double otherwise) {
    if (value == null) return otherwise;
    if (!(value instanceof Number n)) throw badBody("toxicity: must be a number");
    double d = n.doubleValue();
    if (!(d >= 0 && d <= 1)) throw badBody("toxicity: must be between 0 and 1, was " + d);
    return d;
  }

  /** The attribute names of each type with Toxiproxy's zero values (what a toxic without attributes gets). */
  private static Map<String, Long> zeroAttributes(String type) {
    Map<String, Long> m = new LinkedHashMap<>();
    switch (type) {
      case "latency" -> {
        m.put("latency", 0L);
        m.put("jitter", 0L);
      }
      case "bandwidth" -> m.put("rate", 0L);
      case "slow_close" -> m.put("delay", 0L);
      case "timeout", "reset_peer" -> m.put("timeout", 0L);
      case "slicer" -> {
        m.put("average_size", 0L);
        m.put("size_variation", 0L);
        m.put("delay", 0L);
      }
      case "limit_data" -> m.put("bytes", 0L);
      default -> { }
    }
    return m;
  }

  /** Overlays the given attributes (whole non-negative numbers; unknown names ignored, as Toxiproxy does). */
  private static Map<String, Long> attributes(Object value, Map<String, Long> base) {
    Map<String, Long> out = new LinkedHashMap<>(base);
    if (value == null) return out;
    if (!(value instanceof JsonObject given)) throw badBody("attributes: must be an object");
    for (String key : base.keySet()) {
      if (!given.containsKey(key) || given.getValue(key) == null) continue;
      Object v = given.getValue(key);
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
        throw badBody("attributes." + key + ": must be a whole number, was " + Json.encode(v));
      }
      if (n.doubleValue() < 0) throw badBody("attributes." + key + ": must not be negative, was " + n.longValue());
      out.put(key, n.longValue());
    }
    return out;
  }

  /**
   * Converts Toxiproxy's units to the registry's: ms to Durations, the slicer's µs to a Duration, KB/s (1000
   * bytes, Toxiproxy's unit) to bytes per second. Zero keeps Toxiproxy's meaning: no delay, an unlimited rate, no
   * slicing, a timeout that never closes, a limit of zero bytes.
   */
  private static ToxicSpec build(String name, ToxicType type, ToxicStream stream, double toxicity,
      Map<String, Long> a) {
    Duration latency = null, jitter = null, delay = null, timeout = null;
    long rate = 0, bytes = 0;
    int average = 0, variation = 0;
    switch (type) {
      case LATENCY -> {
        latency = Duration.ofMillis(a.get("latency"));
        jitter = Duration.ofMillis(a.get("jitter"));
      }
      case BANDWIDTH -> rate = Math.multiplyExact(a.get("rate"), 1000L);
      case SLOW_CLOSE -> delay = Duration.ofMillis(a.get("delay"));
      case TIMEOUT, RESET_PEER -> timeout = Duration.ofMillis(a.get("timeout"));
      case SLICER -> {
        average = (int) Math.min(Integer.MAX_VALUE, a.get("average_size"));
        variation = (int) Math.min(Integer.MAX_VALUE, a.get("size_variation"));
        delay = Duration.ofNanos(Math.multiplyExact(a.get("delay"), 1000L));
      }
      case LIMIT_DATA -> bytes = a.get("bytes");
      case DOWN -> { }
    }
    return new ToxicSpec(name, type, stream, toxicity, latency, jitter, rate, delay, timeout, bytes, average, variation);
  }

  /** A registry toxic's attributes in Toxiproxy's units (the inverse of {@link #build}). */
  private static Map<String, Long> attributesOf(ToxicSpec t) {
    Map<String, Long> m = new LinkedHashMap<>();
    switch (t.type()) {
      case LATENCY -> {
        m.put("latency", t.latency().toMillis());
        m.put("jitter", t.jitter().toMillis());
      }
      case BANDWIDTH -> m.put("rate", Math.round(t.rateBytesPerSecond() / 1000.0));
      case SLOW_CLOSE -> m.put("delay", t.delay().toMillis());
      case TIMEOUT, RESET_PEER -> m.put("timeout", t.timeout().toMillis());
      case SLICER -> {
        m.put("average_size", (long) t.averageSize());
        m.put("size_variation", (long) t.sizeVariation());
        m.put("delay", t.delay().toNanos() / 1000);
      }
      case LIMIT_DATA -> m.put("bytes", t.bytes());
      case DOWN -> { }
    }
    return m;
  }

  private static JsonObject toxicJson(ToxicSpec t) {
    JsonObject attributes = new JsonObject();
    attributesOf(t).forEach(attributes::put);
    return new JsonObject()
        .put("name", t.name())
        .put("type", t.type().wireName())
        .put("stream", t.stream().name().toLowerCase(Locale.ROOT))
        .put("toxicity", t.toxicity())
        .put("attributes", attributes);
  }

  // ---- plumbing ----

  private static Object parse(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) throw badBody("EOF");
    try {
      return Json.decodeValue(raw);
    } catch (RuntimeException e) {
      throw badBody(String.valueOf(e.getMessage()));
    }
  }

  private static JsonObject object(RoutingContext ctx) {
    if (!(parse(ctx) instanceof JsonObject o)) throw badBody("must be a JSON object");
    return o;
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) return;
    json(ctx, status, new JsonObject().put("error", message).put("status", status));
  }
}
