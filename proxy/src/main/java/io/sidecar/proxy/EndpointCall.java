package io.sidecar.proxy;

import io.sidecar.balancer.CallHandle;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.predictor.signals.TrafficSignals;

/**
 * One try at one endpoint: the balancer's {@link CallHandle} and the cluster's and endpoint's traffic signals,
 * ended exactly once, either completed (the balancer learns from it; the signals count it) or cancelled (a hedge
 * loser, a client gone: nobody is blamed and it only leaves the in-flight counts).
 */
class EndpointCall {
  private final CallHandle handle;
  private final TrafficSignals cluster;
  private final TrafficSignals endpoint;

  /** Starts recording a try the balancer has just handed out (the exchange's own try object extends this one). */
  EndpointCall(CallHandle handle, UpstreamSignals signals) {
    this.handle = handle;
    this.cluster = signals.cluster();
    this.endpoint = cluster == null ? null : signals.endpoint(handle.address());
    if (cluster != null) {
      cluster.begin();
      endpoint.begin();
    }
  }

  CallHandle handle() { return handle; }
  String address() { return handle.address(); }

  /** Ends the try with what the endpoint did; false (and nothing recorded) when it had ended already. */
  boolean complete(long latencyNanos, Outcome outcome, LoadHint hint, ResponseFlag flag) {
    if (!handle.complete(latencyNanos, outcome, hint)) return false;
    if (cluster != null) {
      int status = outcome.hasStatus() ? outcome.status() : 0;
      String code = flag == null || flag == ResponseFlag.NONE ? null : flag.code();
      cluster.record(latencyNanos, status, code, 0);
      endpoint.record(latencyNanos, status, code, 0);
    }
    return true;
  }

  /** Abandons the try: its outcome is unknown. */
  boolean cancel() {
    if (!handle.cancel()) return false;
    if (cluster != null) {
      cluster.abandon();
      endpoint.abandon();
    }
    return true;
  }
}
