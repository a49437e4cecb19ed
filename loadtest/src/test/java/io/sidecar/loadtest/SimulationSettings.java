package io.sidecar.loadtest;

import java.time.Duration;

/**
 * Knobs of the simulations, read from system properties (the Gatling plugin forwards {@code -Dname=value}):
 * {@code target} is the sidecar's listener, {@code admin} its admin API; durations are in seconds.
 * run-simulation.sh sets {@code target} and {@code admin} to the ports it started the sidecar on.
 */
final class SimulationSettings {
  static final String DEFAULT_TARGET = "http://127.0.0.1:27290";
  static final String DEFAULT_ADMIN = "http://127.0.0.1:27291";
  /** Hard cap on any simulation, whatever the knobs say. */
  static final Duration MAX_DURATION = Duration.ofMinutes(10);

  private SimulationSettings() {}

  static String target() {
    return System.getProperty("target", DEFAULT_TARGET);
  }

  static String admin() {
    return System.getProperty("admin", DEFAULT_ADMIN);
  }

  static String adminToken() {
    return System.getProperty("adminToken", "loadtest-token");
  }

  static int integer(String name, int fallback) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(fallback)));
  }

  static double decimal(String name, double fallback) {
    return Double.parseDouble(System.getProperty(name, Double.toString(fallback)));
  }

  /** A duration in whole seconds, at least 1 s and at most {@link #MAX_DURATION}. */
  static Duration seconds(String name, int fallback) {
    long s = Math.max(1, Long.parseLong(System.getProperty(name, Integer.toString(fallback))));
    return Duration.ofSeconds(Math.min(s, MAX_DURATION.toSeconds()));
  }

  /** maxDuration for setUp: the planned run plus a grace period for in-flight requests. */
  static Duration bound(Duration planned) {
    Duration b = planned.plusSeconds(15);
    return b.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : b;
  }
}
