package io.sidecar.fault.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * One fault rule, as written in the YAML {@code faults:} list or posted to {@code POST /faults}.
 * Every action field is nullable (absent); at least one is present (the parser guarantees it).
 *
 * @param percent share of matching requests the fault applies to, 0..100
 */
public record FaultSpec(
    String name,
    FaultMatch match,
    double percent,
    DelaySpec delay,
    AbortSpec abort,
    BandwidthSpec bandwidth,
    SlicerSpec slicer,
    TruncateSpec truncate,
    SlowCloseSpec slowClose,
    PatchSpec patch) {

  public static final double DEFAULT_PERCENT = 100.0;

  /** The action kinds present, in YAML key spelling ("delay", "abort", ...), for listings and metrics. */
  public List<String> kinds() {
    List<String> kinds = new ArrayList<>(2);
    if (delay != null) kinds.add("delay");
    if (abort != null) kinds.add("abort");
    if (bandwidth != null) kinds.add("bandwidth");
    if (slicer != null) kinds.add("slicer");
    if (truncate != null) kinds.add("truncate");
    if (slowClose != null) kinds.add("slow_close");
    if (patch != null) kinds.add("patch");
    return kinds;
  }

  /** True when the fault changes the response body stream (bandwidth, slicer, truncate, slow close). */
  public boolean shapesResponseBody() {
    return bandwidth != null || slicer != null || truncate != null || slowClose != null;
  }
}
