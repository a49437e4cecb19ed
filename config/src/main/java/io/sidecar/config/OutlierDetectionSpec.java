package io.sidecar.config;

import java.time.Duration;

/**
 * Envoy-style outlier detection of a cluster (field names follow Envoy's, in snake case). The {@code enforcing*}
 * fields are percentages (0 turns that detector off, 100 always enforces it).
 */
public record OutlierDetectionSpec(int consecutive5xx, int consecutiveGatewayFailure, Duration interval,
                                   Duration baseEjectionTime, Duration maxEjectionTime, int maxEjectionPercent,
                                   int successRateMinimumHosts, int successRateRequestVolume,
                                   double successRateStdevFactor, int panicThreshold, int enforcingConsecutive5xx,
                                   int enforcingConsecutiveGatewayFailure, int enforcingSuccessRate,
                                   int failurePercentageThreshold, int enforcingFailurePercentage,
                                   int failurePercentageMinimumHosts, int failurePercentageRequestVolume,
                                   boolean successfulActiveHealthCheckUnejectHost) {}
