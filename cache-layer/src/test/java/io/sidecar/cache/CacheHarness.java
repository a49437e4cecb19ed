package io.sidecar.cache;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Real sockets end to end: a Vert.x origin server on an ephemeral port, a tiny Vert.x front that calls
 * {@link HttpCache#handle} with an {@link Origin} backed by a Vert.x HttpClient, and a java.net.http client.
 */
public final class CacheHarness implements AutoCloseable {

  public final Vertx vertx;
  public final HttpCache cache;
  public final MutableClock clock;
  private final HttpServer origin;
  private final HttpServer front;
  private final HttpClient upstream;
  private final java.net.http.HttpClient client;
  private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  public final List<MultiMap> originRequestHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();
  public volatile Function<HttpServerRequest, CachePolicy> policy;
  private final int frontPort;
  private final int originPort;
  public volatile boolean originDown;
  /** The authority the front reports to the cache (as a proxy would for one upstream service), or null. */
  public volatile String authority;

  public CacheHarness(CacheConfig config) {
    this(onProductionTransport(), config, MutableClock.startingNow());
  }

  /** A Vert.x instance on the transport the sidecar takes by default: epoll when the kernel offers it. */
  public static Vertx onProductionTransport() {
    io.vertx.core.transport.Transport epoll = io.vertx.core.transport.Transport.EPOLL;
    return Vertx.builder().withTransport(epoll != null && epoll.available() ? epoll
        : io.vertx.core.transport.Transport.NIO).build();
  }

  public CacheHarness(Vertx vertx, CacheConfig config, MutableClock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.cache = new HttpCache(vertx, config, clock);
    this.policy = r -> CachePolicy.defaults("test");
    this.origin = vertx.createHttpServer().requestHandler(req -> {
      String path = req.path();
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      originRequestHeaders.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      Handler<HttpServerRequest> h = routes.get(path);
      if (h == null) {
        req.response().setStatusCode(404).end("no route " + path);
      } else {
        h.handle(req);
      }
    });
    this.originPort = await(origin.listen(0, "127.0.0.1")).actualPort();
    this.upstream = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(200));
    this.front = vertx.createHttpServer().requestHandler(this::front);
    this.frontPort = await(front.listen(0, "127.0.0.1")).actualPort();
    this.client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    await(cache.start());
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Registers what the origin answers on a path. */
  public void on(String path, Handler<HttpServerRequest> handler) {
    routes.put(path, handler);
  }

  public int originHits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  public int originPort() {
    return originPort;
  }

  public int frontPort() {
    return frontPort;
  }

  private void front(HttpServerRequest req) {
    req.body().onComplete(bodyAr -> {
      Buffer reqBody = bodyAr.succeeded() ? bodyAr.result() : Buffer.buffer();
      CacheRequest cr = new CacheRequest(req.method().name(), "http",
          authority != null ? authority : req.authority().toString(), req.uri(),
          req.headers());
      Origin o = (r, extra) -> {
        if (originDown) {
          return Future.failedFuture("origin down");
        }
        return upstream.request(HttpMethod.valueOf(r.method()), originPort, "127.0.0.1", r.pathAndQuery())
            .compose(up -> {
              r.headers().forEach(e -> {
                String n = e.getKey().toLowerCase();
                if (!n.equals("host") && !n.equals("content-length") && !n.equals("connection")
                    && !n.equals("transfer-encoding") && !n.equals("upgrade")) {
                  up.headers().add(e.getKey(), e.getValue());
                }
              });
              up.headers().addAll(extra);
              return r.method().equals("GET") || r.method().equals("HEAD") ? up.send() : up.send(reqBody);
            })
            .map(resp -> new OriginResponse(resp.statusCode(), resp.headers(), resp));
      };
      cache.handle(cr, policy.apply(req), o).onComplete(ar -> {
        HttpServerResponse out = req.response();
        if (ar.failed()) {
          out.setStatusCode(502).end("origin failed: " + ar.cause().getMessage());
          return;
        }
        CacheResponse r = ar.result();
        out.setStatusCode(r.status());
        out.headers().addAll(r.headers());
        if (r.body() != null) {
          out.end(r.body());
        } else if (r.stream() != null) {
          if (!out.headers().contains("Content-Length")) {
            out.setChunked(true);
          }
          r.stream().pipeTo(out);
        } else {
          out.end();
        }
      });
    });
  }

  public HttpResponse<String> get(String path, String... headers) {
    return send("GET", path, headers);
  }

  public HttpResponse<String> send(String method, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontPort + path))
        .timeout(Duration.ofSeconds(20)).method(method, method.equals("GET") || method.equals("HEAD")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("x"));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public java.net.http.HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    try {
      await(cache.close());
    } finally {
      await(vertx.close());
    }
  }
}
