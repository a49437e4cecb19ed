package io.sidecar.proxy;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.Locale;

/** {@link RequestFacts} over a Vert.x server request. */
final class VertxRequestFacts implements RequestFacts {
  private final HttpServerRequest request;
  /** {@code server.normalize_path}: the path is given normalised ({@link RequestPaths}). */
  private final boolean normalizePath;

  VertxRequestFacts(HttpServerRequest request, boolean normalizePath) {
    this.request = request;
    this.normalizePath = normalizePath;
  }

  @Override
  public String host() {
    HostAndPort authority = request.authority();
    return authority == null ? null : authority.host().toLowerCase(Locale.ROOT);
  }

  @Override
  public String path() {
    return RequestPaths.of(request, normalizePath);
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public String queryParam(String name) {
    return request.getParam(name);
  }
}
