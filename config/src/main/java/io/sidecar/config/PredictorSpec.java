package io.sidecar.config;

import java.time.Duration;

/**
 * Peer exchange, scaling advice and anomaly settings. Peers come over Redis ({@code peersRedis}), else by polling
 * the control API of {@code staticPeers} (base URLs), else the sidecar runs on local signals.
 */
public record PredictorSpec(String peersRedis, java.util.List<String> staticPeers, Duration publishEvery,
                            double targetUtilization, int minReplicas, int maxReplicas, Duration cooldown,
                            double alertThreshold) {}
