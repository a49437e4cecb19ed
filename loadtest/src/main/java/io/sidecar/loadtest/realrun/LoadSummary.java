package io.sidecar.loadtest.realrun;

import java.util.List;
import java.util.Map;

/**
 * The client-side figures of one run. {@code achievedRate} is requests actually sent per second between the first
 * and the last send; {@code sendLagP99Ms}/{@code sendLagMaxMs} show how late the generator was against the intended
 * times (large values mean the machine could not keep the offered rate).
 */
public record LoadSummary(
    long requests,
    double p50Ms, double p90Ms, double p99Ms, double p999Ms,
    double successPercent,
    long failed,
    Map<String, Long> failureKinds,
    List<Double> windowSuccessPercent,
    double windowSeconds,
    double achievedRate,
    double sendLagP99Ms,
    double sendLagMaxMs) {}
