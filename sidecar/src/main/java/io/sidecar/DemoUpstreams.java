package io.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Three in-process demo upstreams of different latency, each answering JSON that names itself. */
final class DemoUpstreams {
  record Upstream(String name, int latencyMillis, HttpServer server) {}

  private final List<Upstream> upstreams = new ArrayList<>();

  static Future<DemoUpstreams> start(Vertx vertx) {
    DemoUpstreams demo = new DemoUpstreams();
    Map<String, Integer> latencies = new LinkedHashMap<>();
    latencies.put("fast", 2);
    latencies.put("medium", 20);
    latencies.put("slow", 120);
    List<Future<?>> started = new ArrayList<>();
    latencies.forEach((name, latency) -> started.add(vertx.createHttpServer()
        .requestHandler(req -> vertx.setTimer(latency, id -> req.response()
            .putHeader("content-type", "application/json")
            .end(new JsonObject().put("upstream", name).put("latency_ms", latency)
                .put("method", req.method().name()).put("uri", req.uri()).encode() + "\n")))
        .listen(0, "127.0.0.1")
        .onSuccess(server -> {
          synchronized (demo) {
            demo.upstreams.add(new Upstream(name, latency, server));
          }
        })));
    return Future.all(started).map(demo);
  }

  /** DEMO_FAST_PORT, DEMO_MEDIUM_PORT, DEMO_SLOW_PORT for the demo config's ${...} placeholders. */
  Map<String, String> ports() {
    Map<String, String> out = new LinkedHashMap<>();
    upstreams.forEach(u -> out.put("DEMO_" + u.name().toUpperCase() + "_PORT", Integer.toString(u.server().actualPort())));
    return out;
  }

  List<Upstream> upstreams() {
    return upstreams;
  }
}
