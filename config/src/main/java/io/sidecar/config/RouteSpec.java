package io.sidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * One route: the first route of a listener whose {@code match} holds takes the request.
 *
 * @param split         target clusters with weights ({@code cluster: x} is a split of one)
 * @param rewritePrefix replaces the matched {@code path_prefix} (null: path unchanged)
 * @param hostRewrite   Host sent upstream (null: keep the client's Host)
 * @param timeout       total time for the whole exchange, retries included; zero: none (Envoy's {@code timeout: 0s},
 *                      for long-lived streams), and {@code idleTimeout} alone ends a silent exchange
 * @param idleTimeout   longest silence on the upstream stream
 * @param retry         null when the route does not retry
 * @param cache         null when the route does not cache
 */
public record RouteSpec(String name, String listener, RouteMatchSpec match, List<WeightedCluster> split,
                        String rewritePrefix, String hostRewrite, HeaderMutationSpec requestHeaders,
                        HeaderMutationSpec responseHeaders, Duration timeout, Duration idleTimeout,
                        RetrySpec retry, RouteCacheSpec cache, RateLimitSpec rateLimit) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

  public record WeightedCluster(String cluster, int weight) {}

  /** Whether the exchange has a total deadline ({@code timeout: 0s} turns it off). */
  public boolean hasTimeout() {
    return !timeout.isZero();
  }
}
