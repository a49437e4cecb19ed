package io.sidecar.fault.tcp;

/** Direction a toxic acts on, as in Toxiproxy. */
public enum ToxicStream {
  /** Client to upstream server. */
  UPSTREAM,
  /** Upstream server back to the client. */
  DOWNSTREAM
}
