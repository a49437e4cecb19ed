package io.sidecar.balancer.health;

import io.sidecar.balancer.ScriptedRandom;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActiveHealthCheckerTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private static HealthCheckConfig.Builder cfg() {
        return HealthCheckConfig.builder("/healthz").interval(Duration.ofSeconds(5))
                .unhealthyInterval(Duration.ofSeconds(2)).noTrafficInterval(Duration.ofSeconds(60))
                .unhealthyThreshold(3).healthyThreshold(2);
    }

    /** A checker over {@code hosts} that has seen traffic (so the regular intervals apply). */
    private static ActiveHealthChecker checker(HealthCheckConfig config, String... hosts) {
        ActiveHealthChecker c = new ActiveHealthChecker(config, new ScriptedRandom());
        c.setHosts(List.of(hosts), 0);
        c.onTraffic(0);
        return c;
    }

    private static ActiveHealthChecker.Transition probe(ActiveHealthChecker c, String host, ProbeResult r, long now) {
        assertThat(c.startDueChecks(now)).contains(host);
        return c.onResult(host, r, now);
    }

    @Test
    void hostsStartPendingAndDueAtOnceAndOnePassMakesThemHealthy() {
        ActiveHealthChecker c = checker(cfg().build(), "a:1", "b:1");
        assertThat(c.status("a:1").status()).isEqualTo(HealthStatus.PENDING);
        assertThat(c.isHealthy("a:1")).isFalse();
        assertThat(c.explanation("a:1")).isEqualTo("active health check pending");
        assertThat(c.nextDueNanos()).isZero();
        assertThat(c.startDueChecks(0)).containsExactly("a:1", "b:1");
        // in flight: not due again, nothing else due
        assertThat(c.startDueChecks(2 * S)).isEmpty();
        assertThat(c.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
        // healthy_threshold is 2, but the first check decides alone (Envoy startup rule)
        assertThat(c.onResult("a:1", ProbeResult.status(200), 3 * MS))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_HEALTHY);
        assertThat(c.isHealthy("a:1")).isTrue();
        assertThat(c.explanation("a:1")).isNull();
        // next check an interval (5 s) after the result
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(5 * S + 3 * MS);
        assertThat(c.onResult("b:1", ProbeResult.timeout(), 4 * MS))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_UNHEALTHY);
        // after a failure: the unhealthy interval (2 s)
        assertThat(c.status("b:1").nextCheckNanos()).isEqualTo(2 * S + 4 * MS);
        assertThat(c.nextDueNanos()).isEqualTo(2 * S + 4 * MS);
    }

    @Test
    void networkFailuresNeedTheUnhealthyThreshold() {
        ActiveHealthChecker c = checker(cfg().build(), "a:1");
        probe(c, "a:1", ProbeResult.status(200), 0);
        assertThat(probe(c, "a:1", ProbeResult.timeout(), 5 * S)).isEqualTo(ActiveHealthChecker.Transition.UNCHANGED);
        assertThat(probe(c, "a:1", ProbeResult.networkFailure("Connection refused"), 7 * S))
                .isEqualTo(ActiveHealthChecker.Transition.UNCHANGED);
        assertThat(c.isHealthy("a:1")).isTrue();
        assertThat(probe(c, "a:1", ProbeResult.timeout(), 9 * S))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_UNHEALTHY);
        assertThat(c.isHealthy("a:1")).isFalse();
        assertThat(c.explanation("a:1")).isEqualTo("failed active health check: 3 consecutive failures (last: timeout)");
    }

    @Test
    void aPassResetsTheFailureRun() {
        ActiveHealthChecker c = checker(cfg().build(), "a:1");
        probe(c, "a:1", ProbeResult.status(200), 0);
        probe(c, "a:1", ProbeResult.timeout(), 5 * S);
        probe(c, "a:1", ProbeResult.timeout(), 7 * S);
        probe(c, "a:1", ProbeResult.status(200), 9 * S);
        probe(c, "a:1", ProbeResult.timeout(), 14 * S);
        probe(c, "a:1", ProbeResult.timeout(), 16 * S);
        assertThat(c.isHealthy("a:1")).isTrue();
        assertThat(c.status("a:1").consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void anUnexpectedStatusFailsAtOnceUnlessRetriable() {
        ActiveHealthChecker c = checker(cfg().build(), "a:1");
        probe(c, "a:1", ProbeResult.status(200), 0);
        assertThat(probe(c, "a:1", ProbeResult.status(503), 5 * S))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_UNHEALTHY);
        assertThat(c.explanation("a:1")).isEqualTo("failed active health check: 1 consecutive failure (last: 503)");
        probe(c, "a:1", ProbeResult.status(503), 7 * S);
        probe(c, "a:1", ProbeResult.status(503), 9 * S);
        assertThat(c.explanation("a:1")).isEqualTo("failed active health check: 3 consecutive failures (last: 503)");

        ActiveHealthChecker r = checker(cfg().retriableStatuses(List.of(new StatusRange(502, 504))).build(), "a:1");
        probe(r, "a:1", ProbeResult.status(200), 0);
        probe(r, "a:1", ProbeResult.status(503), 5 * S);
        probe(r, "a:1", ProbeResult.timeout(), 7 * S);
        assertThat(r.isHealthy("a:1")).isTrue();
        assertThat(probe(r, "a:1", ProbeResult.status(502), 9 * S))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_UNHEALTHY);
        // 500 is outside the retriable range: immediate
        ActiveHealthChecker r2 = checker(cfg().retriableStatuses(List.of(new StatusRange(502, 504))).build(), "a:1");
        probe(r2, "a:1", ProbeResult.status(200), 0);
        assertThat(probe(r2, "a:1", ProbeResult.status(500), 5 * S))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_UNHEALTHY);
    }

    @Test
    void expectedStatusRangesDecideWhatPasses() {
        ActiveHealthChecker c = checker(cfg().expectedStatuses(List.of(new StatusRange(200, 299), StatusRange.of(304)))
                .build(), "a:1");
        probe(c, "a:1", ProbeResult.status(204), 0);
        assertThat(c.isHealthy("a:1")).isTrue();
        probe(c, "a:1", ProbeResult.status(304), 5 * S);
        assertThat(c.isHealthy("a:1")).isTrue();
        probe(c, "a:1", ProbeResult.status(301), 10 * S);
        assertThat(c.isHealthy("a:1")).isFalse();
    }

    @Test
    void anUnhealthyHostNeedsTheHealthyThresholdToRecover() {
        ActiveHealthChecker c = checker(cfg().healthyThreshold(3).build(), "a:1");
        probe(c, "a:1", ProbeResult.status(503), 0);   // first check fails: unhealthy
        assertThat(c.status("a:1").status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(probe(c, "a:1", ProbeResult.status(200), 2 * S)).isEqualTo(ActiveHealthChecker.Transition.UNCHANGED);
        assertThat(c.explanation("a:1"))
                .isEqualTo("failed active health check, recovering: 1 of 3 passes (last: 200)");
        probe(c, "a:1", ProbeResult.status(200), 7 * S);
        assertThat(c.isHealthy("a:1")).isFalse();
        // a failure in between restarts the count
        probe(c, "a:1", ProbeResult.status(500), 12 * S);
        probe(c, "a:1", ProbeResult.status(200), 14 * S);
        probe(c, "a:1", ProbeResult.status(200), 19 * S);
        assertThat(c.isHealthy("a:1")).isFalse();
        assertThat(probe(c, "a:1", ProbeResult.status(200), 24 * S))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_HEALTHY);
    }

    @Test
    void noTrafficIntervalUntilTheFirstRequestThenAtMostAnInterval() {
        ActiveHealthChecker c = new ActiveHealthChecker(cfg().build(), new ScriptedRandom());
        c.setHosts(List.of("a:1"), 0);
        probe(c, "a:1", ProbeResult.status(200), 0);
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(60 * S);
        // traffic at 1 s: the check moves to 1 s + 5 s
        c.onTraffic(S);
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(6 * S);
        assertThat(c.startDueChecks(5 * S)).isEmpty();
        probe(c, "a:1", ProbeResult.status(200), 6 * S);
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(11 * S);
    }

    @Test
    void jitterAddsWholeMillisecondsFromTheRandom() {
        // nextInt(250) answers 117 then 3: next checks 5 s + 117 ms, then 5 s + 3 ms later
        ActiveHealthChecker c = new ActiveHealthChecker(cfg().intervalJitter(Duration.ofMillis(250)).build(),
                new ScriptedRandom(117, 3));
        c.setHosts(List.of("a:1"), 0);
        c.onTraffic(0);
        probe(c, "a:1", ProbeResult.status(200), 0);
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(5 * S + 117 * MS);
        probe(c, "a:1", ProbeResult.status(200), 5 * S + 117 * MS);
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(10 * S + 120 * MS);
    }

    @Test
    void hostsKeepStateAcrossUpdatesAndNewOnesArePendingAndDue() {
        ActiveHealthChecker c = checker(cfg().build(), "a:1", "b:1");
        assertThat(c.startDueChecks(0)).containsExactly("a:1", "b:1");
        c.onResult("a:1", ProbeResult.status(200), 0);
        c.onResult("b:1", ProbeResult.status(503), 0);
        c.setHosts(List.of("b:1", "c:1"), S);
        assertThat(c.status("a:1")).isNull();
        assertThat(c.status("b:1").status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(c.status("c:1").status()).isEqualTo(HealthStatus.PENDING);
        assertThat(c.startDueChecks(S)).containsExactly("c:1");
        // a late result for a removed host is ignored
        assertThat(c.onResult("a:1", ProbeResult.status(200), S)).isEqualTo(ActiveHealthChecker.Transition.IGNORED);
    }

    @Test
    void resultsWithoutAProbeInFlightAreIgnoredAndLostProbesAreRestarted() {
        ActiveHealthChecker c = checker(cfg().timeout(Duration.ofSeconds(1)).build(), "a:1");
        assertThat(c.onResult("a:1", ProbeResult.status(200), 0)).isEqualTo(ActiveHealthChecker.Transition.IGNORED);
        assertThat(c.startDueChecks(0)).containsExactly("a:1");
        // never answered: lost after 2 timeouts + 1 s = 3 s
        assertThat(c.startDueChecks(3 * S - 1)).isEmpty();
        assertThat(c.startDueChecks(3 * S)).containsExactly("a:1");
    }

    @Test
    void reconfigureKeepsStatesAndProbesInFlight() {
        ActiveHealthChecker c = checker(cfg().build(), "a:1");
        probe(c, "a:1", ProbeResult.status(200), 0);
        assertThat(c.startDueChecks(5 * S)).containsExactly("a:1");
        c.reconfigure(cfg().unhealthyThreshold(1).interval(Duration.ofSeconds(1)).build());
        assertThat(c.isHealthy("a:1")).isTrue();
        assertThat(c.startDueChecks(5 * S)).isEmpty();
        // the probe in flight is reported under the new threshold (1) and rescheduled with the new intervals
        assertThat(c.onResult("a:1", ProbeResult.timeout(), 6 * S))
                .isEqualTo(ActiveHealthChecker.Transition.BECAME_UNHEALTHY);
        assertThat(c.status("a:1").nextCheckNanos()).isEqualTo(8 * S);
    }

    @Test
    void configValidationNamesTheField() {
        assertThatThrownBy(() -> HealthCheckConfig.builder("healthz").build())
                .hasMessageContaining("healthCheck.path");
        assertThatThrownBy(() -> cfg().interval(Duration.ZERO).build()).hasMessageContaining("healthCheck.interval");
        assertThatThrownBy(() -> cfg().timeout(Duration.ofMillis(-1)).build())
                .hasMessageContaining("healthCheck.timeout");
        assertThatThrownBy(() -> cfg().intervalJitter(Duration.ofMillis(-1)).build())
                .hasMessageContaining("healthCheck.intervalJitter");
        assertThatThrownBy(() -> cfg().unhealthyThreshold(0).build())
                .hasMessageContaining("healthCheck.unhealthyThreshold");
        assertThatThrownBy(() -> cfg().healthyThreshold(0).build())
                .hasMessageContaining("healthCheck.healthyThreshold");
        assertThatThrownBy(() -> cfg().expectedStatuses(List.of()).build())
                .hasMessageContaining("healthCheck.expectedStatuses");
        assertThatThrownBy(() -> cfg().host(" ").build()).hasMessageContaining("healthCheck.host");
        assertThatThrownBy(() -> new StatusRange(300, 200)).hasMessageContaining("100..599");
        HealthCheckConfig d = HealthCheckConfig.builder("/h").interval(Duration.ofSeconds(7)).build();
        assertThat(d.unhealthyInterval()).isEqualTo(Duration.ofSeconds(7));
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.passes(200)).isTrue();
        assertThat(d.passes(204)).isFalse();
    }
}
