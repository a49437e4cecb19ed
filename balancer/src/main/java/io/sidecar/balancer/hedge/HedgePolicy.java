package io.sidecar.balancer.hedge;

import io.sidecar.balancer.load.RecentLatencies;
import io.sidecar.balancer.retry.RetryPolicy;

import java.util.OptionalLong;

/**
 * When to fire a second (hedged) try of an idempotent request ("The Tail at Scale", Dean &amp; Barroso, CACM 2013:
 * hedged requests after the 95th-percentile expected latency). The proxy sends the hedge to another endpoint after
 * the delay if the first try has not answered; the first response wins and the loser is completed with
 * {@code Outcome.CANCELLED}, which releases its counters without blaming its endpoint.
 */
public final class HedgePolicy {

    private final HedgeConfig config;

    public HedgePolicy(HedgeConfig config) {
        this.config = config;
    }

    public HedgeConfig config() {
        return config;
    }

    /**
     * Delay before the hedge, or empty when no hedge should be sent (disabled, or a non-idempotent method without
     * the route's override).
     *
     * @param latencies the first try's endpoint recent latencies (for the percentile delay)
     */
    public OptionalLong hedgeDelayNanos(String method, boolean idempotentOverride, RecentLatencies latencies) {
        if (!config.enabled() || !(idempotentOverride || RetryPolicy.isIdempotent(method))) {
            return OptionalLong.empty();
        }
        long delay;
        if (config.delay() != null) {
            delay = config.delay().toNanos();
        } else if (latencies != null && latencies.size() >= config.minSamples()) {
            delay = latencies.percentile(config.percentile());
        } else {
            delay = config.fallbackDelay().toNanos();
        }
        return OptionalLong.of(Math.max(delay, config.minDelay().toNanos()));
    }
}
