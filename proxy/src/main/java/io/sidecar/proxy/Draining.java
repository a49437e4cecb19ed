package io.sidecar.proxy;

import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * A graceful shutdown on the full path: Vert.x closes an HTTP/1.x connection once its response in flight is written,
 * and that response says {@code connection: close}, as nginx's and Envoy's do while they drain, so that the client
 * sends its next request elsewhere instead of onto a connection about to close (a POST sent there could not be
 * retried safely). HTTP/2 connections get Vert.x's GOAWAY; the byte-level path does the same in {@link
 * FastPathConnection#draining}.
 */
final class Draining {
  private static final AttributeKey<Boolean> DRAINING = AttributeKey.valueOf("sidecar.draining");

  private Draining() {}

  /** Marks {@code connection} when Vert.x starts shutting it down. */
  static void watch(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      connection.shutdownHandler(v -> base.channel().attr(DRAINING).set(Boolean.TRUE));
    }
  }

  /** Adds {@code connection: close} to {@code request}'s response if its head goes out while the connection drains. */
  static void closeWhenDraining(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2 || !(request.connection() instanceof ConnectionBase base)) return;
    HttpServerResponse response = request.response();
    response.headersEndHandler(v -> {
      if (base.channel().hasAttr(DRAINING)) response.putHeader(HttpHeaders.CONNECTION, "close");
    });
  }
}
