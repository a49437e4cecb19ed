package io.sidecar.proxy;

import io.sidecar.fault.RequestView;
import io.vertx.core.http.HttpServerRequest;

/** The fault matcher's view of a request: route and cluster already chosen, no copying. */
final class FaultView implements RequestView {
  /** The request header that names the calling service, for caller-scoped faults. */
  static final String CALLER_HEADER = "x-sidecar-caller";

  private final String route;
  private final String cluster;
  private final HttpServerRequest request;

  FaultView(String route, String cluster, HttpServerRequest request) {
    this.route = route;
    this.cluster = cluster;
    this.request = request;
  }

  @Override public String route() { return route; }
  @Override public String cluster() { return cluster; }
  @Override public String endpoint() { return null; }
  @Override public String method() { return request.method().name(); }
  @Override public String path() { return request.path(); }
  @Override public String caller() { return request.getHeader(CALLER_HEADER); }
  @Override public String header(String lowerCaseName) { return request.getHeader(lowerCaseName); }
}
