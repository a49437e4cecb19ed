package io.sidecar.config;

import java.time.Duration;

/**
 * A route's local rate limit ({@code routes[].rate_limit}): {@code requests} per {@code per} on average, bursts of up
 * to {@code burst}; requests above it get 429 with {@code Retry-After}. Counted per sidecar, as Envoy's local rate
 * limit: with N instances the service sees up to N times the figure.
 */
public record RateLimitSpec(long requests, Duration per, long burst) {
  public static final Duration DEFAULT_PER = Duration.ofSeconds(1);
}
