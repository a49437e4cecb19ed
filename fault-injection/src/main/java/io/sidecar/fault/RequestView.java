package io.sidecar.fault;

/**
 * What the fault matcher may look at in a request. The proxy implements it over its own request
 * object (no copying); every method may return null when the value is unknown.
 *
 * <p>{@link #endpoint()} is null until the balancer has picked one: rules that match on an endpoint
 * only fire when the view carries it, so the proxy should call {@code decide} after picking the
 * endpoint if it wants endpoint-scoped faults.
 */
public interface RequestView {
  String route();

  String cluster();

  /** {@code host:port} of the chosen upstream endpoint, or null before balancing. */
  String endpoint();

  /** Upper-case HTTP method. */
  String method();

  /** Request path without the query string. */
  String path();

  /** The caller's identity (e.g. the value of the configured identity header or mTLS SAN), or null. */
  String caller();

  /** The first value of a request header; {@code lowerCaseName} is lower-case; null when absent. */
  String header(String lowerCaseName);
}
