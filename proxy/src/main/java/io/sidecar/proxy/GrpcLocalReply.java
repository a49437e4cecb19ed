package io.sidecar.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The sidecar's own answer to a gRPC call, as gRPC clients read one: HTTP 200, {@code content-type: application/grpc}
 * and the status in a trailers-only response (gRPC over HTTP/2, "Responses"). A plain-text 503 reaches a gRPC client
 * only as "Received HTTP status code 503"; this way it gets a gRPC status and the sidecar's reason, as Envoy's local
 * replies give.
 */
final class GrpcLocalReply {
  private GrpcLocalReply() {}

  /** A gRPC call: HTTP/2 with {@code application/grpc[+proto|;...]} (gRPC-Web, over HTTP/1.1 too, is left alone). */
  static boolean isGrpc(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) return false;
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
        && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
  }

  /**
   * gRPC's mapping from an HTTP status to a gRPC status code (grpc/grpc doc/http-grpc-status-mapping.md): 400
   * INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, else UNKNOWN.
   */
  static int grpcStatus(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 13;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 12;
      case 429, 502, 503, 504 -> 14;
      default -> 2;
    };
  }

  /** {@code grpc-message}: UTF-8, with every byte outside 0x20..0x7E and '%' percent-encoded (gRPC over HTTP/2). */
  static String percentEncoded(String message) {
    StringBuilder out = new StringBuilder(message.length());
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') out.append((char) c);
      else out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
          .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
    }
    return out.toString();
  }

  /** Ends {@code response} as a trailers-only gRPC response for the sidecar's answer {@code flag}. */
  static void send(HttpServerResponse response, ResponseFlag flag, String text) {
    response.setStatusCode(200)
        .putHeader(ResponseFlag.HEADER, flag.code())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
        .putHeader("grpc-status", Integer.toString(grpcStatus(flag.status())))
        .putHeader("grpc-message", percentEncoded(text.strip()))
        .end();
  }
}
