package io.sidecar.config;

import java.time.Duration;

/**
 * Hedged requests for a cluster ("The Tail at Scale"): an idempotent request whose first try has not answered after
 * {@code delay} (or the endpoint's latency {@code percentile}, 0..100, when no delay is given) gets a second try on
 * another endpoint; the first answer wins. {@code budgetPercent} caps hedges to that share of first tries.
 */
public record HedgeSpec(Duration delay, double percentile, double budgetPercent) {}
