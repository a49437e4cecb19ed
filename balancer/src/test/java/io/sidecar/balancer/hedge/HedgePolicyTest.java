package io.sidecar.balancer.hedge;

import io.sidecar.balancer.load.RecentLatencies;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HedgePolicyTest {

    private static final long MS = 1_000_000L;

    @Test
    void fixedDelayForIdempotentMethodsOnly() {
        HedgePolicy p = new HedgePolicy(HedgeConfig.fixed(Duration.ofMillis(50)));
        assertThat(p.hedgeDelayNanos("GET", false, null)).hasValue(50 * MS);
        assertThat(p.hedgeDelayNanos("POST", false, null)).isEmpty();
        assertThat(p.hedgeDelayNanos("POST", true, null)).hasValue(50 * MS);
    }

    @Test
    void percentileDelayUsesTheEndpointsRecentLatencies() {
        HedgePolicy p = new HedgePolicy(HedgeConfig.atPercentile(0.95));
        RecentLatencies l = new RecentLatencies(256);
        assertThat(p.hedgeDelayNanos("GET", false, l)).hasValue(100 * MS);   // too few samples: fallback
        for (int i = 1; i <= 100; i++) {
            l.record(i * MS);
        }
        assertThat(p.hedgeDelayNanos("GET", false, l)).hasValue(95 * MS);    // nearest-rank p95 of 1..100 ms
    }

    @Test
    void disabledNeverHedges() {
        assertThat(new HedgePolicy(HedgeConfig.DISABLED).hedgeDelayNanos("GET", true, null)).isEmpty();
    }
}
