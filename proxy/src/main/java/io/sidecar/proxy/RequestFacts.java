package io.sidecar.proxy;

/** What route matching may look at in a request; implemented over Vert.x requests and in tests. */
public interface RequestFacts {
  /** Host without port, lower case. */
  String host();

  /** Path without the query. */
  String path();

  String method();

  /** First value of a header (name in lower case), or null. */
  String header(String name);

  /** First value of a query parameter, or null. */
  String queryParam(String name);
}
