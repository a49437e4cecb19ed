package io.sidecar.fault;

import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.PatchSpec;
import java.util.List;

/**
 * What to do to one request. {@link #NO_FAULT} (shared, compare with {@code ==} or
 * {@link #isNoFault()}) when nothing applies. The proxy applies, in order:
 * <ol>
 *   <li>{@link #requestDelayNanos()} before anything goes upstream (timer);</li>
 *   <li>{@link #abort()}: answer / reset / close / fail as a connect failure instead of going upstream;</li>
 *   <li>{@link #responseDelayNanos()} before the first response byte;</li>
 *   <li>{@link #patch()} on status, headers, body;</li>
 *   <li>{@link #shape()} on the body stream ({@code io.sidecar.fault.vertx.ShapedWriteStream}).</li>
 * </ol>
 * {@link #faultNames()} names the rules that fired (for the response flag, access log and metrics).
 */
public final class FaultDecision {

  public static final FaultDecision NO_FAULT =
      new FaultDecision(List.of(), 0, 0, null, ResponseShape.NONE, null);

  private final List<String> faultNames;
  private final long requestDelayNanos;
  private final long responseDelayNanos;
  private final AbortSpec abort;
  private final ResponseShape shape;
  private final PatchSpec patch;

  FaultDecision(List<String> faultNames, long requestDelayNanos, long responseDelayNanos,
      AbortSpec abort, ResponseShape shape, PatchSpec patch) {
    this.faultNames = List.copyOf(faultNames);
    this.requestDelayNanos = requestDelayNanos;
    this.responseDelayNanos = responseDelayNanos;
    this.abort = abort;
    this.shape = shape;
    this.patch = patch;
  }

  public boolean isNoFault() {
    return this == NO_FAULT;
  }

  public List<String> faultNames() {
    return faultNames;
  }

  public long requestDelayNanos() {
    return requestDelayNanos;
  }

  public long responseDelayNanos() {
    return responseDelayNanos;
  }

  /** The abort to perform, or null. */
  public AbortSpec abort() {
    return abort;
  }

  public ResponseShape shape() {
    return shape;
  }

  /** The response patch, or null. */
  public PatchSpec patch() {
    return patch;
  }

  @Override
  public String toString() {
    return isNoFault() ? "NO_FAULT" : "FaultDecision" + faultNames + "{requestDelay=" + requestDelayNanos
        + "ns, responseDelay=" + responseDelayNanos + "ns, abort=" + abort + ", shape=" + shape + ", patch=" + patch + "}";
  }
}
