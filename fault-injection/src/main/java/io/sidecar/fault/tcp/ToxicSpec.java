package io.sidecar.fault.tcp;

import java.time.Duration;

/**
 * One toxic on a TCP proxy. Fields not used by {@code type} are zero.
 *
 * @param toxicity probability (0..1) that the toxic applies to a given connection (Toxiproxy's
 *     semantics: decided once per connection)
 * @param rateBytesPerSecond for {@link ToxicType#BANDWIDTH}
 * @param delay for SLOW_CLOSE and SLICER
 * @param timeout for TIMEOUT and RESET_PEER
 * @param bytes for LIMIT_DATA
 */
public record ToxicSpec(
    String name,
    ToxicType type,
    ToxicStream stream,
    double toxicity,
    Duration latency,
    Duration jitter,
    long rateBytesPerSecond,
    Duration delay,
    Duration timeout,
    long bytes,
    int averageSize,
    int sizeVariation) {

  public ToxicSpec {
    latency = latency == null ? Duration.ZERO : latency;
    jitter = jitter == null ? Duration.ZERO : jitter;
    delay = delay == null ? Duration.ZERO : delay;
    timeout = timeout == null ? Duration.ZERO : timeout;
  }

  public static ToxicSpec latency(String name, ToxicStream stream, Duration latency, Duration jitter) {
    return new ToxicSpec(name, ToxicType.LATENCY, stream, 1.0, latency, jitter, 0, null, null, 0, 0, 0);
  }

  public static ToxicSpec of(String name, ToxicType type, ToxicStream stream) {
    return new ToxicSpec(name, type, stream, 1.0, null, null, 0, null, null, 0, 0, 0);
  }

  public ToxicSpec withTimeout(Duration t) {
    return new ToxicSpec(name, type, stream, toxicity, latency, jitter, rateBytesPerSecond, delay, t, bytes, averageSize, sizeVariation);
  }

  public ToxicSpec withToxicity(double t) {
    return new ToxicSpec(name, type, stream, t, latency, jitter, rateBytesPerSecond, delay, timeout, bytes, averageSize, sizeVariation);
  }
}
