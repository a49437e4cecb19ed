package io.sidecar.fault.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.FaultDecision;
import io.sidecar.fault.FaultRegistry;
import io.sidecar.fault.FaultRegistryConfig;
import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.SeededRandom;
import io.sidecar.fault.SimpleRequestView;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.spec.AbortSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP faults through real sockets: client -> a minimal fault-applying proxy (the way the proxy
 * module is meant to call this module) -> backend.
 */
class HttpFaultIntegrationTest {

  private Vertx vertx;
  private HttpServer backend;
  private HttpServer proxy;
  private HttpClient upstream;
  private HttpClient client;
  private FaultRegistry registry;
  private final AtomicInteger backendHits = new AtomicInteger();
  private final AtomicLong backendLastHitNanos = new AtomicLong();
  private final AtomicInteger connectFailures = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    vertx = io.sidecar.fault.TestVertx.onProductionTransport();
    backend = vertx.createHttpServer().requestHandler(req -> {
      backendHits.incrementAndGet();
      backendLastHitNanos.set(System.nanoTime());
      req.response().putHeader("content-type", "application/json").end("{\"id\":1,\"price\":10,\"secret\":\"s\"}");
    }).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    upstream = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64));
    client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(64));
    useRegistry(42);
    proxy = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
  }

  private void useRegistry(long seed) {
    registry = new FaultRegistry(FaultRegistryConfig.defaults().withSeed(seed), Clock.systemUTC(), new InMemoryAuditLog());
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** The proxy's fault stage, applied mechanically from the decision. */
  private void handle(HttpServerRequest req) {
    Map<String, String> headers = new HashMap<>();
    req.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
    FaultDecision d = registry.decide(new SimpleRequestView("api", "backend", null, req.method().name(), req.path(), null, headers));
    req.pause();
    HttpFaultActions.delay(vertx, d.requestDelayNanos()).onComplete(v -> {
      AbortSpec abort = d.abort();
      if (abort != null && abort.kind() == AbortSpec.Kind.UPSTREAM_UNAVAILABLE) {
        Throwable failure = HttpFaultActions.upstreamUnavailable(d);
        if (failure instanceof ConnectException) connectFailures.incrementAndGet(); // what a retry policy keys on
        req.resume();
        req.response().setStatusCode(503).putHeader(HttpFaultActions.FAULT_HEADER, HttpFaultActions.names(d)).end();
      } else if (abort != null) {
        HttpFaultActions.abort(req, abort, d);
      } else {
        forward(req, d);
      }
    });
  }

  private void forward(HttpServerRequest req, FaultDecision d) {
    req.resume();
    upstream.request(HttpMethod.GET, backend.actualPort(), "127.0.0.1", req.uri())
        .compose(r -> r.send())
        .onSuccess(up -> {
          var out = req.response();
          out.headers().addAll(up.headers());
          if (d.patch() != null && d.patch().changesBody()) {
            up.body().onSuccess(body -> {
              out.setStatusCode(ResponsePatcher.status(d.patch(), up.statusCode()));
              ResponsePatcher.headers(d.patch(), out.headers());
              Buffer patched = ResponsePatcher.body(d.patch(), body, out.headers());
              HttpFaultActions.delay(vertx, d.responseDelayNanos()).onComplete(x -> out.end(patched));
            });
            return;
          }
          out.setStatusCode(d.patch() == null ? up.statusCode() : ResponsePatcher.status(d.patch(), up.statusCode()));
          if (d.isNoFault() || (d.shape().isNone() && d.responseDelayNanos() == 0)) {
            up.pipeTo(out);
          } else {
            out.headers().remove("content-length");
            out.setChunked(true);
            up.pipeTo(new ShapedWriteStream(vertx, out, d.shape(), d.responseDelayNanos(),
                () -> req.connection().close(), new SeededRandom(1)));
          }
        })
        .onFailure(e -> req.response().setStatusCode(502).end());
  }

  private void add(Map<String, Object> fault) {
    registry.add(FaultSpecParser.parse(fault, "").orThrow(), "test");
  }

  private record Reply(int status, io.vertx.core.MultiMap headers, Buffer body) {}

  private Reply fetch(String path) throws Exception {
    return call(path).await(30, TimeUnit.SECONDS);
  }

  private io.vertx.core.Context clientContext;

  /**
   * Status, headers and body of one GET through the proxy, the whole chain issued on one event-loop
   * context: calling the client from the test thread races the response's end against the
   * registration of the body handler (seen as a rare request that never completes).
   */
  private Future<Reply> call(String path) {
    if (clientContext == null) clientContext = vertx.getOrCreateContext();
    io.vertx.core.Promise<Reply> p = io.vertx.core.Promise.promise();
    clientContext.runOnContext(v -> client.request(HttpMethod.GET, proxy.actualPort(), "127.0.0.1", path)
        .compose(r -> r.send())
        .compose(r -> r.body().map(b -> new Reply(r.statusCode(), r.headers(), b)))
        .onComplete(p));
    return p.future();
  }

  @Test
  void thirtyPercentAbortThroughRealHttpIsReproducible() throws Exception {
    int n = 1000;
    Map<String, Object> fault = Map.of("name", "a30", "route", "api", "percent", 30, "abort", Map.of("status", 503));
    add(fault);
    List<Future<Integer>> all = new ArrayList<>();
    AtomicInteger aborted = new AtomicInteger();
    int concurrency = 25;
    for (int batch = 0; batch < n / concurrency; batch++) {
      List<Future<Integer>> wave = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        wave.add(call("/x").map(r -> {
          if (r.status() == 503 && "a30".equals(r.headers().get(HttpFaultActions.FAULT_HEADER))) aborted.incrementAndGet();
          return r.status();
        }));
      }
      // generous: the first wave opens the connections, and CI boxes can be heavily loaded
      Future.all(wave).await(60, TimeUnit.SECONDS);
      all.addAll(wave);
    }
    assertThat(all).allSatisfy(f -> assertThat(f.result()).isIn(200, 503));
    // Binomial(1000, 0.3): mean 300, sd 14.5; 5 sd = 72
    assertThat(aborted.get()).isBetween(300 - 72, 300 + 72);
    assertThat(backendHits.get()).isEqualTo(n - aborted.get());
    // the same seed and the same number of decisions give exactly the same count
    FaultRegistry replay = new FaultRegistry(FaultRegistryConfig.defaults().withSeed(42), Clock.systemUTC(), new InMemoryAuditLog());
    replay.add(FaultSpecParser.parse(fault, "").orThrow(), "test");
    int replayed = 0;
    for (int i = 0; i < n; i++) if (replay.decide(SimpleRequestView.of("api", "GET", "/x")).abort() != null) replayed++;
    assertThat(aborted.get()).isEqualTo(replayed);
  }

  @Test
  void delayHappensBeforeTheRequestGoesUpstream() throws Exception {
    add(Map.of("name", "d", "route", "api", "delay", Map.of("fixed", "250ms")));
    long t0 = System.nanoTime();
    Reply r = fetch("/x");
    assertThat(r.status()).isEqualTo(200);
    assertThat((backendLastHitNanos.get() - t0) / 1e6).isGreaterThanOrEqualTo(240);
  }

  @Test
  void abortKindsOnTheWire() throws Exception {
    add(Map.of("name", "s", "route", "api", "path", "/status", "abort",
        Map.of("status", 429, "body", "slow down", "headers", Map.of("retry-after", "1"))));
    add(Map.of("name", "r", "route", "api", "path", "/reset", "abort", Map.of("reset", true)));
    add(Map.of("name", "c", "route", "api", "path", "/close", "abort", Map.of("close", true)));
    add(Map.of("name", "u", "route", "api", "path", "/down", "abort", Map.of("upstream_unavailable", true)));

    Reply s = fetch("/status");
    assertThat(s.status()).isEqualTo(429);
    assertThat(s.headers().get("retry-after")).isEqualTo("1");
    assertThat(s.body().toString()).isEqualTo("slow down");

    Throwable reset = catchFailure(call("/reset"));
    assertThat(reset).isNotNull();
    assertThat(String.valueOf(reset.getMessage()) + reset.getClass()).containsIgnoringCase("reset");
    assertThat(catchFailure(call("/close"))).isNotNull();

    Reply u = fetch("/down");
    assertThat(u.status()).isEqualTo(503);
    assertThat(connectFailures.get()).isEqualTo(1);
    assertThat(backendHits.get()).isZero();
  }

  private static Throwable catchFailure(Future<Reply> f) {
    try {
      f.await(30, TimeUnit.SECONDS);
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void patchRewritesStatusHeadersAndJsonBody() throws Exception {
    Map<String, Object> mergePatch = new HashMap<>();
    mergePatch.put("price", 0);
    mergePatch.put("secret", null);
    add(Map.of("name", "p", "route", "api", "patch", Map.of("status", 500, "set_headers", Map.of("x-chaos", "1"),
        "merge_patch", mergePatch)));
    Reply r = fetch("/x");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.headers().get("x-chaos")).isEqualTo("1");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("id", 1).put("price", 0));
  }

  @Test
  void responseDelayAndTruncateThroughTheShapedStream() throws Exception {
    add(Map.of("name", "t", "route", "api", "delay", Map.of("fixed", "200ms", "phase", "response"),
        "truncate", Map.of("after_bytes", 5)));
    long t0 = System.nanoTime();
    Throwable failure = catchFailure(call("/x"));
    assertThat(failure).isNotNull();
    assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(190);
    assertThat(backendHits.get()).isEqualTo(1);
  }
}
