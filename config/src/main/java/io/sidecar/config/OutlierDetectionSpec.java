package io.sidecar.config;

import java.time.Duration;

/** Envoy-style outlier detection of a cluster (field names follow Envoy's, in snake case). */
public record OutlierDetectionSpec(int consecutive5xx, int consecutiveGatewayFailure, Duration interval,
                                   Duration baseEjectionTime, Duration maxEjectionTime, int maxEjectionPercent,
                                   int successRateMinimumHosts, int successRateRequestVolume,
                                   double successRateStdevFactor, int panicThreshold) {}
