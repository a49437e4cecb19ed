package io.sidecar.proxy;

import io.sidecar.fault.FaultDecision;
import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.vertx.HttpFaultActions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * Applies a fault decision before the request goes upstream: the request delay, then an abort (status, reset,
 * close) answered here, or "upstream unavailable" handed on so the exchange's first try fails as a connect
 * failure. The names of the rules that fired go out in {@code x-sidecar-fault}.
 */
final class FaultStage {
  private final ProxyRuntime runtime;
  private final HttpServerRequest request;
  private final RoutingSnapshot.CompiledRoute route;
  private final ProxyMetrics.RouteMeters meters;
  private final long startNanos;
  private final FaultDecision decision;

  FaultStage(ProxyRuntime runtime, HttpServerRequest request, RoutingSnapshot.CompiledRoute route,
             UpstreamCluster cluster, ProxyMetrics.RouteMeters meters, long startNanos, FaultDecision decision) {
    this.runtime = runtime;
    this.request = request;
    this.route = route;
    this.meters = meters;
    this.startNanos = startNanos;
    this.decision = decision;
  }

  /** {@code forward} receives whether the upstream must look unavailable. */
  void run(Consumer<Boolean> forward) {
    request.pause();
    request.response().putHeader(HttpFaultActions.FAULT_HEADER, HttpFaultActions.names(decision));
    HttpFaultActions.delay(runtime.vertx(), decision.requestDelayNanos()).onComplete(v -> {
      if (request.response().closed()) return;
      AbortSpec abort = decision.abort();
      if (abort == null) {
        forward.accept(false);
      } else if (abort.kind() == AbortSpec.Kind.UPSTREAM_UNAVAILABLE) {
        forward.accept(true);
      } else {
        meters.started();
        route.signals().begin();
        request.response().putHeader(ResponseFlag.HEADER, ResponseFlag.FAULT_ABORT.code());
        HttpFaultActions.abort(request, abort, decision);
        int status = abort.kind() == AbortSpec.Kind.STATUS ? abort.status() : 0;
        long nanos = System.nanoTime() - startNanos;
        meters.finished(status, ResponseFlag.FAULT_ABORT, nanos);
        route.signals().record(nanos, status, ResponseFlag.FAULT_ABORT.code(), 0);
      }
    });
  }
}
