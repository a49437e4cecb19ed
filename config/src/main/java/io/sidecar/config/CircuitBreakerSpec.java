package io.sidecar.config;

import java.time.Duration;

/** Resilience4j-style breaker of a cluster: rates in percent, {@code window} calls (count) or seconds (time). */
public record CircuitBreakerSpec(double failureRate, double slowCallRate, Duration slowCallDuration, int window,
                                 String windowType, int minCalls, Duration openFor, int halfOpenCalls) {}
