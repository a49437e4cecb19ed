package io.sidecar.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The control API's error shape: {@code {"error": "<short code>", "detail": "<what and where>"}}. */
final class ApiError extends RuntimeException {
  final int status;
  final String code;

  ApiError(int status, String code, String detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }

  static ApiError badRequest(String detail) {
    return new ApiError(400, "bad_request", detail);
  }

  static ApiError notFound(String detail) {
    return new ApiError(404, "not_found", detail);
  }

  static void send(RoutingContext ctx, int status, String code, String detail, JsonObject extra) {
    JsonObject body = new JsonObject().put("error", code).put("detail", detail);
    if (extra != null) body.mergeIn(extra);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
