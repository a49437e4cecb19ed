package io.sidecar.config;

import java.time.Duration;

/** Keep-alive connection pool to each endpoint of a cluster. */
public record PoolSpec(int maxConnections, Duration connectTimeout, Duration idleTimeout, int maxPending) {
  public static final int DEFAULT_MAX_CONNECTIONS = 64;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_PENDING = 1024;

  public static PoolSpec defaults() {
    return new PoolSpec(DEFAULT_MAX_CONNECTIONS, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_PENDING);
  }
}
