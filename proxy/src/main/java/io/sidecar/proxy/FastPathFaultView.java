package io.sidecar.proxy;

import io.sidecar.fault.RequestView;

/** The fault matcher's view of a request on the byte-level path (the counterpart of {@link FaultView}). */
final class FastPathFaultView implements RequestView {
  private final String route;
  private final String cluster;
  private final RequestFacts request;

  FastPathFaultView(String route, String cluster, RequestFacts request) {
    this.route = route;
    this.cluster = cluster;
    this.request = request;
  }

  @Override public String route() { return route; }
  @Override public String cluster() { return cluster; }
  @Override public String endpoint() { return null; }
  @Override public String method() { return request.method(); }
  @Override public String path() { return request.path(); }
  @Override public String caller() { return request.header(FaultView.CALLER_HEADER); }
  @Override public String header(String lowerCaseName) { return request.header(lowerCaseName); }
}
