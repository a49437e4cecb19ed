package io.sidecar.proxy;

import io.sidecar.fault.RequestView;

/**
 * The fault matcher's view of a request, on either path (over a Vert.x request or a head parsed in the bytes):
 * route and cluster already chosen, no copying.
 */
final class FaultView implements RequestView {
  /** The request header that names the calling service, for caller-scoped faults. */
  static final String CALLER_HEADER = "x-sidecar-caller";

  private final String route;
  private final String cluster;
  private final RequestFacts request;

  FaultView(String route, String cluster, RequestFacts request) {
    this.route = route;
    this.cluster = cluster;
    this.request = request;
  }

  @Override public String route() { return route; }
  @Override public String cluster() { return cluster; }
  @Override public String endpoint() { return null; }
  @Override public String method() { return request.method(); }
  @Override public String path() { return request.path(); }
  @Override public String caller() { return request.header(CALLER_HEADER); }
  @Override public String header(String lowerCaseName) { return request.header(lowerCaseName); }
}
