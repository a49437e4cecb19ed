package io.sidecar.fault;

import io.sidecar.fault.spec.FaultSpec;
import java.time.Instant;

/**
 * A fault rule in force.
 *
 * @param source {@code static} (YAML), {@code api}, or {@code experiment:<id>}
 */
public record ActiveFault(String id, FaultSpec spec, String source, Instant createdAt, String createdBy) {
  public static final String SOURCE_STATIC = "static";
  public static final String SOURCE_API = "api";

  public static String experimentSource(String experimentId) {
    return "experiment:" + experimentId;
  }
}
