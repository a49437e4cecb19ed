package io.sidecar.proxy;

/**
 * Why the sidecar answered a request itself. Each failure has a status, a short flag sent in the
 * {@value #HEADER} response header and used as the {@code flag} metric label (Envoy's response flags).
 */
public enum ResponseFlag {
  NONE(0, "-"),
  /** No route matched the request (Envoy NR). */
  NO_ROUTE(404, "NR"),
  /** The cluster has no endpoint to send to (Envoy UH). */
  NO_HEALTHY_UPSTREAM(503, "UH"),
  /** The connection to the upstream could not be made (Envoy UF). */
  UPSTREAM_CONNECT_FAILURE(503, "UF"),
  /** The upstream pool's wait queue is full (Envoy UO). */
  UPSTREAM_OVERFLOW(503, "UO"),
  /** The upstream did not answer within the route timeout or went idle (Envoy UT). */
  UPSTREAM_TIMEOUT(504, "UT"),
  /** The upstream reset or closed the connection before a complete response (Envoy UR / UC). */
  UPSTREAM_RESET(502, "UR"),
  /** The upstream sent a response we could not parse as HTTP. */
  UPSTREAM_PROTOCOL_ERROR(502, "UPE"),
  /** The cluster's circuit breaker is open (Resilience4j semantics). */
  BREAKER_OPEN(503, "BO"),
  /** A cluster limit (max requests, pending, connections) is reached (Envoy's circuit-breaker thresholds). */
  LIMIT_OVERFLOW(503, "LO"),
  /** The adaptive concurrency limit shed the request before latency collapses. */
  ADAPTIVE_CONCURRENCY(503, "AC"),
  /** A fault rule aborted the request (Envoy FI); the status is the rule's. */
  FAULT_ABORT(503, "FI"),
  /** The route's local rate limit refused the request (Envoy RL); {@code Retry-After} says when to come back. */
  RATE_LIMITED(429, "RL"),
  /** The request body is larger than {@code server.max_request_body}. */
  REQUEST_BODY_TOO_LARGE(413, "RBL"),
  /** The downstream went away before the response was complete (Envoy DC). */
  DOWNSTREAM_DISCONNECT(499, "DC"),
  /** The request broke HTTP's rules: a missing or invalid Host, a malformed chunked body (Envoy DPE). */
  DOWNSTREAM_PROTOCOL_ERROR(400, "DPE");

  /** The flag for a balancer refusal. */
  public static ResponseFlag of(io.sidecar.balancer.Refusal refusal) {
    return switch (refusal) {
      case NO_HEALTHY_ENDPOINT -> NO_HEALTHY_UPSTREAM;
      case BREAKER_OPEN -> BREAKER_OPEN;
      case ADAPTIVE_CONCURRENCY -> ADAPTIVE_CONCURRENCY;
      case LIMIT_OVERFLOW, RETRY_OVERFLOW -> LIMIT_OVERFLOW;
    };
  }

  /** What the balancer should learn from a failure we named (statistics, outlier detection, breaker, retry-on). */
  public io.sidecar.balancer.FailureKind failureKind() {
    return switch (this) {
      case UPSTREAM_CONNECT_FAILURE, UPSTREAM_OVERFLOW -> io.sidecar.balancer.FailureKind.CONNECT_FAILURE;
      case UPSTREAM_TIMEOUT -> io.sidecar.balancer.FailureKind.TIMEOUT;
      case DOWNSTREAM_DISCONNECT, DOWNSTREAM_PROTOCOL_ERROR -> io.sidecar.balancer.FailureKind.CANCELLED;
      default -> io.sidecar.balancer.FailureKind.RESET;
    };
  }

  public static final String HEADER = "x-sidecar-flags";

  private final int status;
  private final String code;

  ResponseFlag(int status, String code) {
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /**
   * Whether the sidecar's answer ends the downstream connection: after an oversized body it does not read the rest,
   * and after a protocol error it cannot tell where a next request would start (RFC 9112 §9.6, §6.3).
   */
  public boolean closesConnection() {
    return this == REQUEST_BODY_TOO_LARGE || this == DOWNSTREAM_PROTOCOL_ERROR;
  }
}
