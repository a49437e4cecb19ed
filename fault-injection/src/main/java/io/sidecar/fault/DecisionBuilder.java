package io.sidecar.fault;

import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.DelayPhase;
import io.sidecar.fault.spec.FaultSpec;
import io.sidecar.fault.spec.PatchSpec;
import io.sidecar.fault.spec.SlicerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates the faults that fired for one request. The first rule (in registry order) to fill a
 * slot wins it, so a delay rule and an abort rule on the same route compose (as in Envoy's fault
 * filter, which applies the delay then the abort).
 */
final class DecisionBuilder {
  private final List<String> names = new ArrayList<>(2);
  private long requestDelay = -1;
  private long responseDelay = -1;
  private AbortSpec abort;
  private long bytesPerSecond;
  private SlicerSpec slicer;
  private long truncateAfter = -1;
  private long slowClose;
  private PatchSpec patch;

  void apply(FaultSpec spec, SeededRandom random) {
    names.add(spec.name());
    if (spec.delay() != null) {
      if (spec.delay().phase() == DelayPhase.REQUEST && requestDelay < 0) {
        requestDelay = spec.delay().distribution().sampleNanos(random);
      } else if (spec.delay().phase() == DelayPhase.RESPONSE && responseDelay < 0) {
        responseDelay = spec.delay().distribution().sampleNanos(random);
      }
    }
    if (spec.abort() != null && abort == null) abort = spec.abort();
    if (spec.bandwidth() != null && bytesPerSecond == 0) bytesPerSecond = spec.bandwidth().bytesPerSecond();
    if (spec.slicer() != null && slicer == null) slicer = spec.slicer();
    if (spec.truncate() != null && truncateAfter < 0) truncateAfter = spec.truncate().afterBytes();
    if (spec.slowClose() != null && slowClose == 0) slowClose = spec.slowClose().delay().toNanos();
    if (spec.patch() != null && patch == null) patch = spec.patch();
  }

  void headerDelay(String name, long nanos) {
    names.add(name);
    if (requestDelay < 0) requestDelay = nanos;
  }

  void headerAbort(String name, AbortSpec a) {
    names.add(name);
    if (abort == null) abort = a;
  }

  FaultDecision build() {
    ResponseShape shape = bytesPerSecond == 0 && slicer == null && truncateAfter < 0 && slowClose == 0
        ? ResponseShape.NONE : new ResponseShape(bytesPerSecond, slicer, truncateAfter, slowClose);
    return new FaultDecision(names, Math.max(0, requestDelay), Math.max(0, responseDelay), abort, shape, patch);
  }
}
