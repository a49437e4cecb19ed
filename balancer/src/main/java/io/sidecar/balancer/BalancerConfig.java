package io.sidecar.balancer;

import io.sidecar.balancer.breaker.CircuitBreakerConfig;
import io.sidecar.balancer.health.HealthCheckConfig;
import io.sidecar.balancer.hedge.HedgeConfig;
import io.sidecar.balancer.limit.AdaptiveConcurrencyConfig;
import io.sidecar.balancer.limit.LimitsConfig;
import io.sidecar.balancer.outlier.OutlierDetectionConfig;
import io.sidecar.balancer.retry.RetryConfig;
import io.sidecar.balancer.strategy.PredictiveConfig;
import io.sidecar.balancer.strategy.StrategyName;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link ClusterBalancer} needs besides its endpoints. Immutable; build with {@link #builder()}.
 * Every part validates itself and throws IllegalArgumentException with the field name.
 *
 * @param strategy           the balancing strategy (default {@code predictive})
 * @param clusterBreaker     the cluster's circuit breaker (Resilience4j defaults)
 * @param endpointBreaker    per-endpoint breakers; {@link CircuitBreakerConfig#DISABLED} (the default) creates none
 * @param trafficShareWindow time constant of the "recent traffic share" in snapshots
 * @param healthCheck        active HTTP health checking; {@link HealthCheckConfig#DISABLED} (the default) checks nothing
 */
public record BalancerConfig(StrategyName strategy, SlowStartConfig slowStart, LeastRequestConfig leastRequest,
                             PeakEwmaConfig peakEwma, PredictiveConfig predictive,
                             OutlierDetectionConfig outlierDetection, CircuitBreakerConfig clusterBreaker,
                             CircuitBreakerConfig endpointBreaker, LimitsConfig limits, RetryConfig retry,
                             HedgeConfig hedge, AdaptiveConcurrencyConfig adaptiveConcurrency,
                             Duration trafficShareWindow, HealthCheckConfig healthCheck) {

    public static final StrategyName DEFAULT_STRATEGY = StrategyName.DEFAULT;
    public static final Duration DEFAULT_TRAFFIC_SHARE_WINDOW = Duration.ofSeconds(10);
    public static final BalancerConfig DEFAULTS = builder().build();

    public BalancerConfig {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(leastRequest, "leastRequest");
        Objects.requireNonNull(peakEwma, "peakEwma");
        Objects.requireNonNull(predictive, "predictive");
        Objects.requireNonNull(outlierDetection, "outlierDetection");
        Objects.requireNonNull(clusterBreaker, "clusterBreaker");
        Objects.requireNonNull(endpointBreaker, "endpointBreaker");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(hedge, "hedge");
        Objects.requireNonNull(adaptiveConcurrency, "adaptiveConcurrency");
        Objects.requireNonNull(healthCheck, "healthCheck");
        if (trafficShareWindow == null || trafficShareWindow.isNegative() || trafficShareWindow.isZero()) {
            throw new IllegalArgumentException("trafficShareWindow must be a positive duration, was " + trafficShareWindow);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised from this config. */
    public Builder toBuilder() {
        return new Builder().strategy(strategy).slowStart(slowStart).leastRequest(leastRequest).peakEwma(peakEwma)
                .predictive(predictive).outlierDetection(outlierDetection).clusterBreaker(clusterBreaker)
                .endpointBreaker(endpointBreaker).limits(limits).retry(retry).hedge(hedge)
                .adaptiveConcurrency(adaptiveConcurrency).trafficShareWindow(trafficShareWindow)
                .healthCheck(healthCheck);
    }

    public static final class Builder {
        private StrategyName strategy = DEFAULT_STRATEGY;
        private SlowStartConfig slowStart = SlowStartConfig.DISABLED;
        private LeastRequestConfig leastRequest = LeastRequestConfig.DEFAULTS;
        private PeakEwmaConfig peakEwma = PeakEwmaConfig.DEFAULTS;
        private PredictiveConfig predictive = PredictiveConfig.DEFAULTS;
        private OutlierDetectionConfig outlierDetection = OutlierDetectionConfig.DEFAULTS;
        private CircuitBreakerConfig clusterBreaker = CircuitBreakerConfig.DEFAULTS;
        private CircuitBreakerConfig endpointBreaker = CircuitBreakerConfig.DISABLED;
        private LimitsConfig limits = LimitsConfig.DEFAULTS;
        private RetryConfig retry = RetryConfig.DEFAULTS;
        private HedgeConfig hedge = HedgeConfig.DISABLED;
        private AdaptiveConcurrencyConfig adaptiveConcurrency = AdaptiveConcurrencyConfig.DISABLED;
        private Duration trafficShareWindow = DEFAULT_TRAFFIC_SHARE_WINDOW;
        private HealthCheckConfig healthCheck = HealthCheckConfig.DISABLED;

        /** By name; unknown → IllegalArgumentException naming the valid ones. */
        public Builder strategy(String name) { strategy = StrategyName.parse(name); return this; }
        public Builder strategy(StrategyName v) { strategy = v; return this; }
        public Builder slowStart(SlowStartConfig v) { slowStart = v; return this; }
        public Builder leastRequest(LeastRequestConfig v) { leastRequest = v; return this; }
        public Builder peakEwma(PeakEwmaConfig v) { peakEwma = v; return this; }
        public Builder predictive(PredictiveConfig v) { predictive = v; return this; }
        public Builder outlierDetection(OutlierDetectionConfig v) { outlierDetection = v; return this; }
        public Builder clusterBreaker(CircuitBreakerConfig v) { clusterBreaker = v; return this; }
        public Builder endpointBreaker(CircuitBreakerConfig v) { endpointBreaker = v; return this; }
        public Builder limits(LimitsConfig v) { limits = v; return this; }
        public Builder retry(RetryConfig v) { retry = v; return this; }
        public Builder hedge(HedgeConfig v) { hedge = v; return this; }
        public Builder adaptiveConcurrency(AdaptiveConcurrencyConfig v) { adaptiveConcurrency = v; return this; }
        public Builder trafficShareWindow(Duration v) { trafficShareWindow = v; return this; }
        public Builder healthCheck(HealthCheckConfig v) { healthCheck = v; return this; }

        public BalancerConfig build() {
            return new BalancerConfig(strategy, slowStart, leastRequest, peakEwma, predictive, outlierDetection,
                    clusterBreaker, endpointBreaker, limits, retry, hedge, adaptiveConcurrency, trafficShareWindow,
                    healthCheck);
        }
    }
}
