package io.sidecar.fault;

import java.time.Duration;

/**
 * Header-driven faults (Envoy's {@code x-envoy-fault-*} idea with our own names), off unless enabled.
 * A request carrying {@code x-sidecar-fault-delay-ms: 300} is delayed 300 ms (capped at
 * {@code maxDelay}); {@code x-sidecar-fault-abort: 503 | reset | close | unavailable} aborts it.
 * Only the sidecar's own clients should be trusted with these: the proxy should strip them from
 * untrusted downstream traffic when the feature is on.
 */
public record HeaderFaultConfig(boolean enabled, String delayHeader, String abortHeader, Duration maxDelay) {
  public static final String DEFAULT_DELAY_HEADER = "x-sidecar-fault-delay-ms";
  public static final String DEFAULT_ABORT_HEADER = "x-sidecar-fault-abort";
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
  public static final HeaderFaultConfig DISABLED =
      new HeaderFaultConfig(false, DEFAULT_DELAY_HEADER, DEFAULT_ABORT_HEADER, DEFAULT_MAX_DELAY);

  public static HeaderFaultConfig enabledWithDefaults() {
    return new HeaderFaultConfig(true, DEFAULT_DELAY_HEADER, DEFAULT_ABORT_HEADER, DEFAULT_MAX_DELAY);
  }
}
