package io.sidecar.balancer;

import io.sidecar.balancer.health.ActiveHealthChecker;
import io.sidecar.balancer.health.HealthCheckConfig;
import io.sidecar.balancer.health.HealthStatus;
import io.sidecar.balancer.health.ProbeResult;
import io.sidecar.balancer.outlier.OutlierDetectionConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Active health checking as seen through {@link ClusterBalancer}: picks, panic, snapshots, reloads. */
class ClusterHealthCheckTest {

    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();

    private static final HealthCheckConfig HC = HealthCheckConfig.builder("/healthz")
            .interval(Duration.ofMillis(100)).noTrafficInterval(Duration.ofMillis(100)).build();

    private ClusterBalancer cluster(BalancerConfig config, String... addresses) {
        List<Endpoint> eps = new ArrayList<>();
        for (String a : addresses) {
            eps.add(Endpoint.of(a));
        }
        return new ClusterBalancer("c", config, eps, clock, new SplittableRandom(3));
    }

    private static BalancerConfig.Builder rr() {
        return BalancerConfig.builder().strategy("round_robin").outlierDetection(OutlierDetectionConfig.DISABLED)
                .healthCheck(HC);
    }

    /** Runs the due checks, answering each endpoint from {@code statuses} (200 when absent). */
    private static void checkAll(ClusterBalancer c, Map<String, Integer> statuses) {
        for (String a : c.startDueHealthChecks()) {
            c.onHealthCheckResult(a, ProbeResult.status(statuses.getOrDefault(a, 200)));
        }
    }

    private static Map<String, Integer> picks(ClusterBalancer c, int n) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            CallHandle h = c.pick().handle();
            out.merge(h.address(), 1, Integer::sum);
            h.complete(Outcome.OK);
        }
        return out;
    }

    private static EndpointSnapshot endpoint(ClusterBalancer c, String address) {
        return c.snapshot().endpoints().stream().filter(e -> e.address().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void withoutHealthChecksTheStatusIsNull() {
        ClusterBalancer c = cluster(rr().healthCheck(HealthCheckConfig.DISABLED).build(), "a:1");
        assertThat(endpoint(c, "a:1").healthCheck()).isNull();
        assertThat(c.startDueHealthChecks()).isEmpty();
        assertThat(c.nanosUntilNextHealthCheck()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void pendingEndpointsAreAllUsedInPanicUntilTheirFirstCheck() {
        ClusterBalancer c = cluster(rr().build(), "a:1", "b:1");
        EndpointSnapshot a = endpoint(c, "a:1");
        assertThat(a.healthCheck()).isEqualTo("pending");
        assertThat(a.avoidedReason()).isEqualTo("active health check pending; cluster in panic: still used");
        assertThat(c.snapshot().panic()).isTrue();
        assertThat(picks(c, 4)).containsEntry("a:1", 2).containsEntry("b:1", 2);
        checkAll(c, Map.of());
        assertThat(c.snapshot().panic()).isFalse();
        assertThat(endpoint(c, "a:1").healthCheck()).isEqualTo("healthy");
        assertThat(endpoint(c, "a:1").avoidedReason()).isNull();
    }

    @Test
    void anEndpointFailingItsCheckGetsNoPicks() {
        ClusterBalancer c = cluster(rr().build(), "a:1", "b:1", "c:1");
        checkAll(c, Map.of());
        picks(c, 3);                                  // traffic: regular intervals from now on
        clock.advanceMillis(100);
        checkAll(c, Map.of("b:1", 503));
        EndpointSnapshot b = endpoint(c, "b:1");
        assertThat(b.healthCheck()).isEqualTo("unhealthy");
        assertThat(b.avoidedReason()).isEqualTo("failed active health check: 1 consecutive failure (last: 503)");
        assertThat(picks(c, 10)).containsOnlyKeys("a:1", "c:1").containsEntry("a:1", 5);
        // 2 of 3 healthy = 67 % >= 50 %: no panic
        assertThat(c.snapshot().panic()).isFalse();

        // recovery: healthy_threshold 2 passes, each an interval apart
        clock.advanceMillis(100);
        checkAll(c, Map.of());
        assertThat(endpoint(c, "b:1").healthCheck()).isEqualTo("unhealthy");
        assertThat(endpoint(c, "b:1").avoidedReason())
                .isEqualTo("failed active health check, recovering: 1 of 2 passes (last: 200)");
        clock.advanceMillis(100);
        checkAll(c, Map.of());
        assertThat(endpoint(c, "b:1").healthCheck()).isEqualTo("healthy");
        assertThat(picks(c, 3)).containsEntry("b:1", 1);
    }

    @Test
    void reloadsThatChangeThePanicThresholdTakeEffectOnTheNextPick() {
        ClusterBalancer c = cluster(rr().build(), "a:1", "b:1", "c:1");
        checkAll(c, Map.of("b:1", 503));
        // 2 of 3 healthy = 67 % >= 50 %: b:1 gets no picks
        assertThat(picks(c, 6)).containsOnlyKeys("a:1", "c:1");
        c.reconfigure(rr().outlierDetection(OutlierDetectionConfig.builder().enabled(false)
                .panicThresholdPercent(80).build()).build());
        // 67 % < 80 %: panic, every endpoint is used again, though no ejection or check result changed
        assertThat(picks(c, 6)).containsOnlyKeys("a:1", "b:1", "c:1");
        c.reconfigure(rr().build());
        assertThat(picks(c, 6)).containsOnlyKeys("a:1", "c:1");
    }

    @Test
    void failedChecksCountTowardsThePanicThresholdWithEjections() {
        // (a passing check would end b:1's ejection at the next round; keep it ejected here)
        BalancerConfig config = rr().outlierDetection(OutlierDetectionConfig.builder().maxEjectionPercent(100)
                .successfulActiveHealthCheckUnejectHost(false).build()).build();
        ClusterBalancer c = cluster(config, "a:1", "b:1", "c:1", "d:1");
        checkAll(c, Map.of("a:1", 503));
        // a:1 fails its check, b:1 is ejected by outlier detection: 2 of 4 = 50 %, not below 50 %: no panic
        for (int i = 0; i < 5; i++) {
            CallHandle h = c.pick(java.util.Set.of("c:1", "d:1")).handle();
            assertThat(h.address()).isEqualTo("b:1");
            h.complete(Outcome.status(500));
        }
        assertThat(c.isEjected("b:1")).isTrue();
        assertThat(c.snapshot().panic()).isFalse();
        assertThat(picks(c, 4)).containsOnlyKeys("c:1", "d:1");
        // c:1 fails too: 1 of 4 healthy = 25 % < 50 %: panic, every endpoint is used again
        clock.advanceMillis(100);
        checkAll(c, Map.of("a:1", 503, "c:1", 503));
        assertThat(c.snapshot().panic()).isTrue();
        assertThat(endpoint(c, "c:1").avoidedReason())
                .isEqualTo("failed active health check: 1 consecutive failure (last: 503); cluster in panic: still used");
        assertThat(picks(c, 8)).containsOnlyKeys("a:1", "b:1", "c:1", "d:1");
    }

    @Test
    void aPassingCheckEndsAnOutlierEjectionUnlessConfiguredOtherwise() {
        for (boolean uneject : new boolean[] {true, false}) {
            OutlierDetectionConfig od = OutlierDetectionConfig.builder().maxEjectionPercent(100)
                    .successfulActiveHealthCheckUnejectHost(uneject).build();
            ClusterBalancer c = cluster(rr().outlierDetection(od).build(), "a:1", "b:1");
            checkAll(c, Map.of());
            for (int i = 0; i < 5; i++) {
                CallHandle h = c.pick(java.util.Set.of("b:1")).handle();
                h.complete(Outcome.status(500));
            }
            assertThat(c.isEjected("a:1")).isTrue();
            clock.advanceMillis(100);
            assertThat(c.startDueHealthChecks()).containsExactly("a:1", "b:1");
            assertThat(c.onHealthCheckResult("a:1", ProbeResult.status(200)))
                    .isEqualTo(ActiveHealthChecker.Transition.UNCHANGED);
            assertThat(c.isEjected("a:1")).isEqualTo(!uneject);
        }
    }

    @Test
    void endpointUpdatesAndReloadsKeepTheStateOfAddressesThatStay() {
        ClusterBalancer c = cluster(rr().build(), "a:1", "b:1");
        checkAll(c, Map.of("b:1", 503));
        c.updateEndpoints(List.of(Endpoint.of("b:1"), Endpoint.of("c:1")));
        assertThat(endpoint(c, "b:1").healthCheck()).isEqualTo("unhealthy");
        assertThat(endpoint(c, "c:1").healthCheck()).isEqualTo("pending");
        assertThat(c.startDueHealthChecks()).containsExactly("c:1");
        c.onHealthCheckResult("c:1", ProbeResult.status(200));

        c.reconfigure(rr().healthCheck(HealthCheckConfig.builder("/ready").interval(Duration.ofMillis(100)).build())
                .build());
        assertThat(c.healthCheckConfig().path()).isEqualTo("/ready");
        assertThat(endpoint(c, "b:1").healthCheck()).isEqualTo("unhealthy");
        assertThat(c.healthCheckStatus("c:1").orElseThrow().status()).isEqualTo(HealthStatus.HEALTHY);

        // health checking removed: no status, every endpoint routed to
        c.reconfigure(rr().healthCheck(HealthCheckConfig.DISABLED).build());
        assertThat(endpoint(c, "b:1").healthCheck()).isNull();
        assertThat(endpoint(c, "b:1").avoidedReason()).isNull();
        assertThat(picks(c, 2)).containsOnlyKeys("b:1", "c:1");
    }

    @Test
    void theProberIsToldWhenTheNextCheckIsDue() {
        ClusterBalancer c = cluster(rr().healthCheck(HealthCheckConfig.builder("/healthz")
                .interval(Duration.ofMillis(100)).unhealthyInterval(Duration.ofMillis(40))
                .noTrafficInterval(Duration.ofSeconds(60)).build()).build(), "a:1", "b:1");
        assertThat(c.nanosUntilNextHealthCheck()).isZero();
        assertThat(c.startDueHealthChecks()).containsExactly("a:1", "b:1");
        assertThat(c.nanosUntilNextHealthCheck()).isEqualTo(Long.MAX_VALUE);
        c.onHealthCheckResult("a:1", ProbeResult.status(200));
        // no traffic yet: the no-traffic interval
        assertThat(c.nanosUntilNextHealthCheck()).isEqualTo(60_000 * MS);
        picks(c, 1);
        c.onHealthCheckResult("b:1", ProbeResult.timeout());
        // a:1 pulled in to now + 100 ms by the first request; b:1 failed: unhealthy interval 40 ms
        assertThat(c.nanosUntilNextHealthCheck()).isEqualTo(40 * MS);
        clock.advanceMillis(40);
        assertThat(c.startDueHealthChecks()).containsExactly("b:1");
        assertThat(c.nanosUntilNextHealthCheck()).isEqualTo(60 * MS);
    }
}
