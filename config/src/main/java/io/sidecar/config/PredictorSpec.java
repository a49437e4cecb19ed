package io.sidecar.config;

import java.time.Duration;
import java.time.ZoneId;

/**
 * Peer exchange, scaling advice and anomaly settings. Peers come over Redis ({@code peersRedis}), else by polling
 * the control API of {@code staticPeers} (base URLs), else the sidecar runs on local signals. {@code advertise}
 * (null when not set) is the address at which callers reach this instance, published in its snapshots so that
 * the callers' balancers can tell which of their endpoints a snapshot describes. {@code recurringDays},
 * {@code recurringWindowDays}, {@code recurringJitter} and {@code recurringJitterSteps}: the anomaly detector's
 * discount of a spike that recurs at about the same time of day (a nightly job; 0 days turns it off). The tolerance
 * is given in one form: {@code recurringJitter} (null when the steps are given) or {@code recurringJitterSteps}
 * (-1 when not given). {@code recurringZone}: the time zone whose time of day the discount compares (UTC by default).
 */
public record PredictorSpec(String peersRedis, java.util.List<String> staticPeers, Duration publishEvery,
                            HostPort advertise,
                            double targetUtilization, int minReplicas, int maxReplicas, Duration cooldown,
                            double alertThreshold, int recurringDays, int recurringJitterSteps,
                            int recurringWindowDays, Duration recurringJitter, ZoneId recurringZone) {}
