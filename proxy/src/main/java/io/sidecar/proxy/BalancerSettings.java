package io.sidecar.proxy;

import io.sidecar.balancer.BalancerConfig;
import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.breaker.CircuitBreakerConfig;
import io.sidecar.balancer.health.HealthCheckConfig;
import io.sidecar.balancer.health.StatusRange;
import io.sidecar.balancer.hedge.HedgeConfig;
import io.sidecar.balancer.limit.AdaptiveConcurrencyConfig;
import io.sidecar.balancer.limit.LimitsConfig;
import io.sidecar.balancer.breaker.SlidingWindowType;
import io.sidecar.balancer.outlier.OutlierDetectionConfig;
import io.sidecar.balancer.retry.RetryConfig;
import io.sidecar.balancer.retry.RetryOn;
import io.sidecar.config.CircuitBreakerSpec;
import io.sidecar.config.ClusterSpec;
import io.sidecar.config.HealthCheckSpec;
import io.sidecar.config.HedgeSpec;
import io.sidecar.config.LimitsSpec;
import io.sidecar.config.OutlierDetectionSpec;
import io.sidecar.config.RetrySpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maps the YAML sections onto the balancer module's configuration. A section that is not written leaves its
 * mechanism off (as in Envoy: no outlier detection and no breaker unless configured).
 */
final class BalancerSettings {
  private BalancerSettings() {}

  static BalancerConfig of(ClusterSpec spec) {
    return BalancerConfig.builder()
        .strategy(spec.balancer())
        .clusterBreaker(breaker(spec.circuitBreaker()))
        .outlierDetection(outlier(spec.outlierDetection()))
        .hedge(hedge(spec.hedge()))
        .limits(new LimitsConfig(LimitsConfig.DEFAULT_MAX_CONNECTIONS, LimitsConfig.DEFAULT_MAX_PENDING_REQUESTS,
            spec.limits().maxRequests(), spec.limits().maxRetries()))
        .adaptiveConcurrency(adaptive(spec.limits()))
        .healthCheck(healthCheck(spec.healthCheck()))
        .build();
  }

  static List<Endpoint> endpoints(ClusterSpec spec) {
    return spec.endpoints().stream().map(e -> Endpoint.of(e.address().toString(), e.weight())).toList();
  }

  static AdaptiveConcurrencyConfig adaptive(LimitsSpec l) {
    if (!l.adaptiveConcurrency()) return AdaptiveConcurrencyConfig.DISABLED;
    AdaptiveConcurrencyConfig d = AdaptiveConcurrencyConfig.ENABLED_DEFAULTS;
    return new AdaptiveConcurrencyConfig(true, d.sampleWindow(), d.samplePercentile(), d.minRttInterval(),
        d.minRttRequests(), d.minRttBufferPercent(), l.minConcurrency(), l.maxConcurrency());
  }

  static HedgeConfig hedge(HedgeSpec h) {
    if (h == null) return HedgeConfig.DISABLED;
    HedgeConfig base = h.delay() != null ? HedgeConfig.fixed(h.delay()) : HedgeConfig.atPercentile(h.percentile() / 100.0);
    return new HedgeConfig(true, base.delay(), base.percentile(), base.minSamples(), base.fallbackDelay(),
        base.minDelay(), h.budgetPercent());
  }

  static CircuitBreakerConfig breaker(CircuitBreakerSpec b) {
    if (b == null) return CircuitBreakerConfig.DISABLED;
    return CircuitBreakerConfig.builder()
        .failureRateThreshold((float) b.failureRate())
        .slowCallRateThreshold((float) b.slowCallRate())
        .slowCallDurationThreshold(b.slowCallDuration())
        .slidingWindowType(b.windowType().equals("time") ? SlidingWindowType.TIME_BASED : SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(b.window())
        .minimumNumberOfCalls(b.minCalls())
        .waitDurationInOpenState(b.openFor())
        .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
        .build();
  }

  static OutlierDetectionConfig outlier(OutlierDetectionSpec o) {
    if (o == null) return OutlierDetectionConfig.DISABLED;
    return OutlierDetectionConfig.builder()
        .consecutive5xx(o.consecutive5xx())
        .consecutiveGatewayFailure(o.consecutiveGatewayFailure())
        .interval(o.interval())
        .baseEjectionTime(o.baseEjectionTime())
        .maxEjectionTime(o.maxEjectionTime())
        .maxEjectionPercent(o.maxEjectionPercent())
        .successRateMinimumHosts(o.successRateMinimumHosts())
        .successRateRequestVolume(o.successRateRequestVolume())
        .successRateStdevFactor(o.successRateStdevFactor())
        .enforcingConsecutive5xx(o.enforcingConsecutive5xx())
        .enforcingConsecutiveGatewayFailure(o.enforcingConsecutiveGatewayFailure())
        .enforcingSuccessRate(o.enforcingSuccessRate())
        .failurePercentageThreshold(o.failurePercentageThreshold())
        .enforcingFailurePercentage(o.enforcingFailurePercentage())
        .failurePercentageMinimumHosts(o.failurePercentageMinimumHosts())
        .failurePercentageRequestVolume(o.failurePercentageRequestVolume())
        .successfulActiveHealthCheckUnejectHost(o.successfulActiveHealthCheckUnejectHost())
        .panicThresholdPercent(o.panicThreshold())
        .build();
  }

  static HealthCheckConfig healthCheck(HealthCheckSpec h) {
    if (h == null) return HealthCheckConfig.DISABLED;
    return HealthCheckConfig.builder(h.path())
        .host(h.host())
        .interval(h.interval())
        .timeout(h.timeout())
        .intervalJitter(h.intervalJitter())
        .unhealthyInterval(h.unhealthyInterval())
        .noTrafficInterval(h.noTrafficInterval())
        .unhealthyThreshold(h.unhealthyThreshold())
        .healthyThreshold(h.healthyThreshold())
        .expectedStatuses(ranges(h.expectedStatuses()))
        .retriableStatuses(ranges(h.retriableStatuses()))
        .build();
  }

  private static List<StatusRange> ranges(List<HealthCheckSpec.StatusRange> ranges) {
    return ranges.stream().map(r -> new StatusRange(r.first(), r.last())).toList();
  }

  /** A route's retry policy; null when the route does not retry. */
  static RetryConfig retry(RetrySpec r) {
    if (r == null || r.attempts() == 0) return null;
    Set<RetryOn> on = r.on().stream().map(RetryOn::parse).collect(Collectors.toSet());
    RetryConfig.Builder b = RetryConfig.builder()
        .maxRetries(r.attempts())
        .retryOn(on)
        .retriableStatusCodes(new HashSet<>(r.retriableStatusCodes()))
        .backoffBase(r.backoffBase())
        .backoffMax(r.backoffMax())
        .replayBufferBytes(r.maxBufferedBody());
    if (r.perTryTimeout() != null) b.perTryTimeout(r.perTryTimeout());
    return b.build();
  }
}
