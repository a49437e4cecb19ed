package io.sidecar;

import static io.sidecar.SidecarTest.await;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/** A real HTTP client for the assembled sidecar's tests: one call at a time on 127.0.0.1, the answer read whole. */
final class TestHttp {
  record Reply(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpClient client;
  private final io.vertx.core.Context context;

  TestHttp(Vertx vertx) {
    this.client = vertx.createHttpClient();
    this.context = vertx.getOrCreateContext();
  }

  /** {@code token}, when not null, goes as a bearer token; {@code body}, when not null, as JSON. */
  Reply call(HttpMethod method, int port, String path, String token, String body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path);
    if (token != null) options.putHeader("authorization", "Bearer " + token);
    if (body != null) options.putHeader("content-type", "application/json");
    Promise<Reply> promise = Promise.promise();
    context.runOnContext(v -> client.request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString())))
        .onComplete(promise));
    return await(promise.future());
  }
}
