package io.sidecar.balancer.outlier;

import static io.sidecar.balancer.ConfigRequire.positive;
import static io.sidecar.balancer.ConfigRequire.percent;
import static io.sidecar.balancer.ConfigRequire.atLeastOne;

import java.time.Duration;

/**
 * Envoy outlier detection settings ({@code envoy.config.cluster.v3.OutlierDetection}) with Envoy's defaults, plus
 * the cluster's panic threshold ({@code common_lb_config.healthy_panic_threshold}, default 50 %).
 * Invalid values throw IllegalArgumentException naming the field.
 */
public record OutlierDetectionConfig(boolean enabled, Duration interval, Duration baseEjectionTime,
                                     Duration maxEjectionTime, int maxEjectionPercent, int consecutive5xx,
                                     int enforcingConsecutive5xx, int consecutiveGatewayFailure,
                                     int enforcingConsecutiveGatewayFailure, int successRateMinimumHosts,
                                     int successRateRequestVolume, double successRateStdevFactor,
                                     int enforcingSuccessRate, int failurePercentageThreshold,
                                     int enforcingFailurePercentage, int failurePercentageMinimumHosts,
                                     int failurePercentageRequestVolume, boolean successfulActiveHealthCheckUnejectHost,
                                     int panicThresholdPercent) {

    public static final boolean DEFAULT_ENABLED = true;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;
    public static final int DEFAULT_CONSECUTIVE_5XX = 5;
    public static final int DEFAULT_ENFORCING_CONSECUTIVE_5XX = 100;
    public static final int DEFAULT_CONSECUTIVE_GATEWAY_FAILURE = 5;
    public static final int DEFAULT_ENFORCING_CONSECUTIVE_GATEWAY_FAILURE = 0;
    public static final int DEFAULT_SUCCESS_RATE_MINIMUM_HOSTS = 5;
    public static final int DEFAULT_SUCCESS_RATE_REQUEST_VOLUME = 100;
    /** Envoy's success_rate_stdev_factor 1900 / 1000. */
    public static final double DEFAULT_SUCCESS_RATE_STDEV_FACTOR = 1.9;
    public static final int DEFAULT_ENFORCING_SUCCESS_RATE = 100;
    public static final int DEFAULT_FAILURE_PERCENTAGE_THRESHOLD = 85;
    /** Envoy: failure-percentage ejection is off unless enforcing_failure_percentage is raised from 0. */
    public static final int DEFAULT_ENFORCING_FAILURE_PERCENTAGE = 0;
    public static final int DEFAULT_FAILURE_PERCENTAGE_MINIMUM_HOSTS = 5;
    public static final int DEFAULT_FAILURE_PERCENTAGE_REQUEST_VOLUME = 50;
    /** Envoy's successful_active_health_check_uneject_host: a host passing its active health check is unejected. */
    public static final boolean DEFAULT_SUCCESSFUL_ACTIVE_HEALTH_CHECK_UNEJECT_HOST = true;
    public static final int DEFAULT_PANIC_THRESHOLD_PERCENT = 50;

    public static final OutlierDetectionConfig DEFAULTS = builder().build();
    public static final OutlierDetectionConfig DISABLED = builder().enabled(false).build();

    public OutlierDetectionConfig {
        positive("outlierDetection.interval", interval);
        positive("outlierDetection.baseEjectionTime", baseEjectionTime);
        positive("outlierDetection.maxEjectionTime", maxEjectionTime);
        percent("outlierDetection.maxEjectionPercent", maxEjectionPercent);
        atLeastOne("outlierDetection.consecutive5xx", consecutive5xx);
        percent("outlierDetection.enforcingConsecutive5xx", enforcingConsecutive5xx);
        atLeastOne("outlierDetection.consecutiveGatewayFailure", consecutiveGatewayFailure);
        percent("outlierDetection.enforcingConsecutiveGatewayFailure", enforcingConsecutiveGatewayFailure);
        atLeastOne("outlierDetection.successRateMinimumHosts", successRateMinimumHosts);
        atLeastOne("outlierDetection.successRateRequestVolume", successRateRequestVolume);
        if (!(successRateStdevFactor >= 0) || Double.isInfinite(successRateStdevFactor)) {
            throw new IllegalArgumentException(
                    "outlierDetection.successRateStdevFactor must be >= 0, was " + successRateStdevFactor);
        }
        percent("outlierDetection.enforcingSuccessRate", enforcingSuccessRate);
        percent("outlierDetection.failurePercentageThreshold", failurePercentageThreshold);
        percent("outlierDetection.enforcingFailurePercentage", enforcingFailurePercentage);
        atLeastOne("outlierDetection.failurePercentageMinimumHosts", failurePercentageMinimumHosts);
        atLeastOne("outlierDetection.failurePercentageRequestVolume", failurePercentageRequestVolume);
        percent("outlierDetection.panicThresholdPercent", panicThresholdPercent);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
        private Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
        private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;
        private int consecutive5xx = DEFAULT_CONSECUTIVE_5XX;
        private int enforcingConsecutive5xx = DEFAULT_ENFORCING_CONSECUTIVE_5XX;
        private int consecutiveGatewayFailure = DEFAULT_CONSECUTIVE_GATEWAY_FAILURE;
        private int enforcingConsecutiveGatewayFailure = DEFAULT_ENFORCING_CONSECUTIVE_GATEWAY_FAILURE;
        private int successRateMinimumHosts = DEFAULT_SUCCESS_RATE_MINIMUM_HOSTS;
        private int successRateRequestVolume = DEFAULT_SUCCESS_RATE_REQUEST_VOLUME;
        private double successRateStdevFactor = DEFAULT_SUCCESS_RATE_STDEV_FACTOR;
        private int enforcingSuccessRate = DEFAULT_ENFORCING_SUCCESS_RATE;
        private int failurePercentageThreshold = DEFAULT_FAILURE_PERCENTAGE_THRESHOLD;
        private int enforcingFailurePercentage = DEFAULT_ENFORCING_FAILURE_PERCENTAGE;
        private int failurePercentageMinimumHosts = DEFAULT_FAILURE_PERCENTAGE_MINIMUM_HOSTS;
        private int failurePercentageRequestVolume = DEFAULT_FAILURE_PERCENTAGE_REQUEST_VOLUME;
        private boolean successfulActiveHealthCheckUnejectHost = DEFAULT_SUCCESSFUL_ACTIVE_HEALTH_CHECK_UNEJECT_HOST;
        private int panicThresholdPercent = DEFAULT_PANIC_THRESHOLD_PERCENT;

        public Builder enabled(boolean v) { enabled = v; return this; }
        public Builder interval(Duration v) { interval = v; return this; }
        public Builder baseEjectionTime(Duration v) { baseEjectionTime = v; return this; }
        public Builder maxEjectionTime(Duration v) { maxEjectionTime = v; return this; }
        public Builder maxEjectionPercent(int v) { maxEjectionPercent = v; return this; }
        public Builder consecutive5xx(int v) { consecutive5xx = v; return this; }
        public Builder enforcingConsecutive5xx(int v) { enforcingConsecutive5xx = v; return this; }
        public Builder consecutiveGatewayFailure(int v) { consecutiveGatewayFailure = v; return this; }
        public Builder enforcingConsecutiveGatewayFailure(int v) { enforcingConsecutiveGatewayFailure = v; return this; }
        public Builder successRateMinimumHosts(int v) { successRateMinimumHosts = v; return this; }
        public Builder successRateRequestVolume(int v) { successRateRequestVolume = v; return this; }
        public Builder successRateStdevFactor(double v) { successRateStdevFactor = v; return this; }
        public Builder enforcingSuccessRate(int v) { enforcingSuccessRate = v; return this; }
        public Builder failurePercentageThreshold(int v) { failurePercentageThreshold = v; return this; }
        public Builder enforcingFailurePercentage(int v) { enforcingFailurePercentage = v; return this; }
        public Builder failurePercentageMinimumHosts(int v) { failurePercentageMinimumHosts = v; return this; }
        public Builder failurePercentageRequestVolume(int v) { failurePercentageRequestVolume = v; return this; }
        public Builder successfulActiveHealthCheckUnejectHost(boolean v) {
            successfulActiveHealthCheckUnejectHost = v;
            return this;
        }
        public Builder panicThresholdPercent(int v) { panicThresholdPercent = v; return this; }

        public OutlierDetectionConfig build() {
            return new OutlierDetectionConfig(enabled, interval, baseEjectionTime, maxEjectionTime,
                    maxEjectionPercent, consecutive5xx, enforcingConsecutive5xx, consecutiveGatewayFailure,
                    enforcingConsecutiveGatewayFailure, successRateMinimumHosts, successRateRequestVolume,
                    successRateStdevFactor, enforcingSuccessRate, failurePercentageThreshold,
                    enforcingFailurePercentage, failurePercentageMinimumHosts, failurePercentageRequestVolume,
                    successfulActiveHealthCheckUnejectHost, panicThresholdPercent);
        }
    }
}
