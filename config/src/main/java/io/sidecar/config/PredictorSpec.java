package io.sidecar.config;

import java.time.Duration;

/** Peer exchange, scaling advice and anomaly settings; {@code peersRedis} null to run on local signals. */
public record PredictorSpec(String peersRedis, Duration publishEvery, double targetUtilization, int minReplicas,
                            int maxReplicas, Duration cooldown, double alertThreshold) {}
