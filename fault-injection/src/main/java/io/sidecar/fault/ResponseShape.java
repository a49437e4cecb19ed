package io.sidecar.fault;

import io.sidecar.fault.spec.SlicerSpec;

/**
 * How to shape the response body stream. {@code bytesPerSecond} 0 = unlimited, {@code slicer} null =
 * no slicing, {@code truncateAfterBytes} -1 = no truncation, {@code slowCloseNanos} 0 = none.
 */
public record ResponseShape(long bytesPerSecond, SlicerSpec slicer, long truncateAfterBytes, long slowCloseNanos) {
  public static final ResponseShape NONE = new ResponseShape(0, null, -1, 0);

  public boolean isNone() {
    return bytesPerSecond == 0 && slicer == null && truncateAfterBytes < 0 && slowCloseNanos == 0;
  }
}
