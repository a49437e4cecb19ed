package io.sidecar.cache;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;

/**
 * Not a test: a cache-hit server for measuring with wrk. Origin on 127.0.0.1:ORIGIN_PORT serving /1k and /100k
 * (max-age=3600), the cache front on 127.0.0.1:FRONT_PORT with one verticle per event loop.
 *
 * <pre>
 * java -cp ... io.sidecar.cache.CacheBench 18080 18081
 * wrk -t2 -c64 -d10s http://127.0.0.1:18081/1k
 * </pre>
 */
public final class CacheBench {

  public static void main(String[] args) throws Exception {
    int originPort = Integer.parseInt(args[0]);
    int frontPort = Integer.parseInt(args[1]);
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    Buffer k1 = Buffer.buffer("a".repeat(1024));
    Buffer k100 = Buffer.buffer("b".repeat(100 * 1024));
    vertx.createHttpServer().requestHandler(req -> req.response().putHeader("Cache-Control", "max-age=3600")
        .putHeader("Content-Type", "application/octet-stream")
        .end(req.path().equals("/100k") ? k100 : k1)).listen(originPort, "127.0.0.1").await();
    HttpCache cache = new HttpCache(vertx, CacheConfig.builder().build());
    CachePolicy policy = CachePolicy.defaults("bench");
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(64));
        Origin origin = (r, extra) -> client.request(HttpMethod.valueOf(r.method()), originPort, "127.0.0.1",
            r.pathAndQuery()).compose(up -> {
              up.headers().addAll(extra);
              return up.send();
            }).map(resp -> new OriginResponse(resp.statusCode(), resp.headers(), resp));
        return vertx.createHttpServer().requestHandler(req -> cache.handle(new CacheRequest(req.method().name(),
            "http", "bench", req.uri(), req.headers()), policy, origin).onComplete(ar -> {
              HttpServerResponse out = req.response();
              if (ar.failed()) {
                out.setStatusCode(502).end();
                return;
              }
              CacheResponse r = ar.result();
              out.setStatusCode(r.status());
              out.headers().addAll(r.headers());
              if (r.body() != null) {
                out.end(r.body());
              } else if (r.stream() != null) {
                r.stream().pipeTo(out);
              } else {
                out.end();
              }
            })).listen(frontPort, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(loops)).await();
    System.out.println("ready origin=" + originPort + " front=" + frontPort);
    Thread.currentThread().join();
  }
}
