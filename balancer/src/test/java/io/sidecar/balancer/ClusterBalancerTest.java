package io.sidecar.balancer;

import io.sidecar.balancer.breaker.CircuitBreakerConfig;
import io.sidecar.balancer.breaker.CircuitBreakerState;
import io.sidecar.balancer.hedge.HedgeConfig;
import io.sidecar.balancer.limit.AdaptiveConcurrencyConfig;
import io.sidecar.balancer.limit.LimitsConfig;
import io.sidecar.balancer.outlier.OutlierDetectionConfig;
import io.sidecar.balancer.strategy.StrategyName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterBalancerTest {

    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();

    private ClusterBalancer cluster(BalancerConfig.Builder config, String... addresses) {
        List<Endpoint> eps = new ArrayList<>();
        for (String a : addresses) {
            eps.add(Endpoint.of(a));
        }
        return new ClusterBalancer("c", config.build(), eps, clock, new SplittableRandom(3));
    }

    private static BalancerConfig.Builder rr() {
        return BalancerConfig.builder().strategy("round_robin");
    }

    @Test
    void defaultsArePredictive() {
        assertThat(cluster(BalancerConfig.builder(), "a:1").strategy()).isEqualTo(StrategyName.PREDICTIVE);
    }

    @Test
    void aHandleCountsInFlightUntilCompletedExactlyOnce() {
        ClusterBalancer c = cluster(rr(), "a:1", "b:1");
        CallHandle h = c.pick().handle();
        assertThat(c.activeRequests()).isEqualTo(1);
        assertThat(c.snapshot().endpoints().get(0).inFlight()).isEqualTo(1);
        clock.advanceMillis(12);
        assertThat(h.complete(Outcome.OK)).isTrue();
        assertThat(h.complete(Outcome.status(500))).isFalse();
        assertThat(c.activeRequests()).isZero();
        EndpointSnapshot s = c.snapshot().endpoints().get(0);
        assertThat(s.inFlight()).isZero();
        assertThat(s.requests()).isEqualTo(1);
        assertThat(s.failures()).isZero();
        assertThat(s.p50Ms()).isEqualTo(12.0);
    }

    @Test
    void excludedEndpointsAreAvoidedWhileAnotherExists() {
        ClusterBalancer c = cluster(rr(), "a:1", "b:1");
        for (int i = 0; i < 5; i++) {
            CallHandle h = c.pick(Set.of("a:1")).handle();
            assertThat(h.address()).isEqualTo("b:1");
            h.complete(Outcome.OK);
        }
        CallHandle h = c.pick(Set.of("a:1", "b:1")).handle();   // nothing else: any endpoint
        assertThat(h.address()).isIn("a:1", "b:1");
    }

    @Test
    void noEndpointsIsANamedRefusal() {
        ClusterBalancer c = cluster(rr());
        Pick p = c.pick();
        assertThat(p.isAccepted()).isFalse();
        assertThat(p.refusal()).isEqualTo(Refusal.NO_HEALTHY_ENDPOINT);
        assertThat(p.refusal().flag()).isEqualTo("UH");
        assertThatThrownBy(p::handle).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void updateEndpointsKeepsStateOfUnchangedAddresses() {
        ClusterBalancer c = cluster(rr(), "a:1", "b:1");
        CallHandle h = c.pick().handle();
        String first = h.address();
        h.complete(Outcome.status(503));
        c.updateEndpoints(List.of(Endpoint.of(first, 3), Endpoint.of("c:1")));
        Map<String, EndpointSnapshot> byAddress = new HashMap<>();
        c.snapshot().endpoints().forEach(e -> byAddress.put(e.address(), e));
        assertThat(byAddress).containsOnlyKeys(first, "c:1");
        assertThat(byAddress.get(first).failures()).isEqualTo(1);
        assertThat(byAddress.get(first).weight()).isEqualTo(3);
        assertThat(byAddress.get("c:1").requests()).isZero();
        assertThatThrownBy(() -> c.updateEndpoints(List.of(Endpoint.of("x:1"), Endpoint.of("x:1"))))
                .hasMessageContaining("duplicate");
    }

    @Test
    void aCallOfARemovedEndpointDoesNotCountAgainstItsReAddedSuccessor() {
        ClusterBalancer c = cluster(rr().outlierDetection(OutlierDetectionConfig.builder().consecutive5xx(1)
                .maxEjectionPercent(100).build()), "a:1", "b:1");
        CallHandle inFlight = c.pick().handle();
        String address = inFlight.address();
        String other = address.equals("a:1") ? "b:1" : "a:1";
        c.updateEndpoints(List.of(Endpoint.of(other)));
        c.updateEndpoints(List.of(Endpoint.of(other), Endpoint.of(address)));
        inFlight.complete(Outcome.status(503));
        assertThat(c.isEjected(address)).isFalse();
        // the same failure on a call of the endpoint as it is now does eject it
        CallHandle current = c.pick().handle();
        while (!current.address().equals(address)) {
            current.complete(Outcome.OK);
            current = c.pick().handle();
        }
        current.complete(Outcome.status(503));
        assertThat(c.isEjected(address)).isTrue();
    }

    @Test
    void strategySwitchesAtRunTimeAndUnknownNamesListTheValidOnes() {
        ClusterBalancer c = cluster(rr(), "a:1", "b:1");
        c.setStrategy("p2c_peak_ewma");
        assertThat(c.strategy()).isEqualTo(StrategyName.P2C_PEAK_EWMA);
        assertThat(c.snapshot().balancer()).isEqualTo("p2c_peak_ewma");
        assertThatThrownBy(() -> c.setStrategy("fastest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fastest")
                .hasMessageContaining("round_robin, weighted_round_robin, least_request, p2c_peak_ewma, predictive");
        assertThat(c.strategy()).isEqualTo(StrategyName.P2C_PEAK_EWMA);
    }

    @Test
    void openClusterBreakerRefusesWithBO() {
        ClusterBalancer c = cluster(rr().clusterBreaker(CircuitBreakerConfig.builder().slidingWindowSize(4)
                .minimumNumberOfCalls(4).waitDurationInOpenState(Duration.ofSeconds(5)).build()), "a:1", "b:1");
        for (int i = 0; i < 4; i++) {
            c.pick().handle().complete(Outcome.status(500));
        }
        Pick p = c.pick();
        assertThat(p.refusal()).isEqualTo(Refusal.BREAKER_OPEN);
        assertThat(p.refusal().flag()).isEqualTo("BO");
        assertThat(c.snapshot().breakerState()).isEqualTo("OPEN");
        // the control API may force it closed
        c.clusterBreaker().transitionTo(CircuitBreakerState.CLOSED);
        assertThat(c.pick().isAccepted()).isTrue();
        c.clusterBreaker().transitionToForcedOpenState();
        assertThat(c.pick().refusal()).isEqualTo(Refusal.BREAKER_OPEN);
    }

    @Test
    void cancelledTriesReleaseHalfOpenPermitsAndBlameNobody() {
        ClusterBalancer c = cluster(rr().clusterBreaker(CircuitBreakerConfig.builder()
                .permittedNumberOfCallsInHalfOpenState(1).build()), "a:1");
        c.clusterBreaker().transitionToHalfOpenState();
        CallHandle h = c.pick().handle();
        assertThat(c.pick().refusal()).isEqualTo(Refusal.BREAKER_OPEN);
        h.cancel();
        CallHandle again = c.pick().handle();
        assertThat(c.snapshot().endpoints().get(0).failures()).isZero();
        again.complete(Outcome.OK);
        assertThat(c.snapshot().breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void perEndpointBreakerTakesOnlyThatEndpointOut() {
        ClusterBalancer c = cluster(rr().endpointBreaker(CircuitBreakerConfig.builder().slidingWindowSize(2)
                .minimumNumberOfCalls(2).build()), "a:1", "b:1");
        for (int i = 0; i < 4; i++) {
            CallHandle h = c.pick().handle();
            h.complete(h.address().equals("a:1") ? Outcome.status(500) : Outcome.OK);
        }
        assertThat(c.endpointBreaker("a:1").orElseThrow().state()).isEqualTo(CircuitBreakerState.OPEN);
        for (int i = 0; i < 5; i++) {
            CallHandle h = c.pick().handle();
            assertThat(h.address()).isEqualTo("b:1");
            h.complete(Outcome.OK);
        }
        EndpointSnapshot a = c.snapshot().endpoints().get(0);
        assertThat(a.breakerState()).isEqualTo("OPEN");
        assertThat(a.avoidedReason()).contains("breaker");
        c.endpointBreaker("b:1").orElseThrow().transitionToForcedOpenState();
        assertThat(c.pick().refusal()).isEqualTo(Refusal.BREAKER_OPEN);
    }

    @Test
    void maxRequestsOverflowIsLO() {
        ClusterBalancer c = cluster(rr().limits(new LimitsConfig(10, 10, 2, 1)), "a:1");
        c.pick();
        c.pick();
        Pick p = c.pick();
        assertThat(p.refusal()).isEqualTo(Refusal.LIMIT_OVERFLOW);
        assertThat(p.refusal().flag()).isEqualTo("LO");
    }

    @Test
    void retriesAreBoundedByMaxRetriesAndTheBudget() {
        ClusterBalancer c = cluster(rr().limits(new LimitsConfig(100, 100, 100, 2)), "a:1", "b:1");
        CallHandle r1 = c.pick(Set.of(), CallKind.RETRY).handle();
        c.pick(Set.of(), CallKind.RETRY).handle();
        assertThat(c.pick(Set.of(), CallKind.RETRY).refusal()).isEqualTo(Refusal.RETRY_OVERFLOW);
        r1.complete(Outcome.OK);
        assertThat(c.activeRetries()).isEqualTo(1);
        // hedges also need a token: 5 % of first tries
        assertThat(c.pick(Set.of(), CallKind.HEDGE).refusal()).isEqualTo(Refusal.RETRY_OVERFLOW);
        for (int i = 0; i < 20; i++) {
            c.pick().handle().complete(Outcome.OK);
        }
        assertThat(c.pick(Set.of(), CallKind.HEDGE).isAccepted()).isTrue();
        assertThat(c.pick(Set.of(), CallKind.HEDGE).refusal()).isEqualTo(Refusal.RETRY_OVERFLOW);
        // budget: with max_retries high, min retry concurrency 3 applies at low load
        ClusterBalancer budget = cluster(rr(), "a:1");
        for (int i = 0; i < 3; i++) {
            assertThat(budget.pick(Set.of(), CallKind.RETRY).isAccepted()).isTrue();
        }
        assertThat(budget.pick(Set.of(), CallKind.RETRY).refusal()).isEqualTo(Refusal.RETRY_OVERFLOW);
        assertThat(budget.pick().isAccepted()).isTrue();   // first tries are not retries
    }

    @Test
    void consecutiveFailuresEjectAnEndpointAndTrafficContinuesElsewhere() {
        ClusterBalancer c = cluster(rr().outlierDetection(OutlierDetectionConfig.builder()
                .maxEjectionPercent(50).baseEjectionTime(Duration.ofSeconds(30)).build()), "a:1", "b:1", "c:1");
        int aFailures = 0;
        for (int i = 0; i < 30 && aFailures < 5; i++) {
            CallHandle h = c.pick().handle();
            if (h.address().equals("a:1")) {
                h.complete(Outcome.failure(FailureKind.CONNECT_FAILURE));
                aFailures++;
            } else {
                h.complete(Outcome.OK);
            }
        }
        assertThat(c.isEjected("a:1")).isTrue();
        for (int i = 0; i < 20; i++) {
            CallHandle h = c.pick().handle();
            assertThat(h.address()).isNotEqualTo("a:1");
            h.complete(Outcome.OK);
        }
        EndpointSnapshot a = c.snapshot().endpoints().get(0);
        assertThat(a.ejected()).isTrue();
        assertThat(a.ejectionReason()).isEqualTo("consecutive_5xx");
        assertThat(a.avoidedReason()).startsWith("ejected");
        // the interval check after the ejection time brings it back, driven by picks (no timer needed)
        clock.advanceMillis(30_001);
        c.pick().handle().complete(Outcome.OK);
        clock.advanceMillis(10_000);
        c.pick().handle().complete(Outcome.OK);
        assertThat(c.isEjected("a:1")).isFalse();
    }

    @Test
    void failurePercentageEjectionShowsInTheSnapshot() {
        // 5 endpoints × 50 tries in one 10 s interval; e:1 fails 45 of its 50 (90 % >= 85 %); consecutive 5xx kept out
        ClusterBalancer c = cluster(rr().outlierDetection(OutlierDetectionConfig.builder().maxEjectionPercent(20)
                .consecutive5xx(1_000).enforcingFailurePercentage(100).build()),
                "a:1", "b:1", "c:1", "d:1", "e:1");
        int eTries = 0;
        for (int i = 0; i < 250; i++) {
            CallHandle h = c.pick().handle();
            boolean fail = h.address().equals("e:1") && eTries++ % 10 != 9;
            h.complete(fail ? Outcome.status(500) : Outcome.OK);
        }
        assertThat(c.isEjected("e:1")).isFalse();
        clock.advanceMillis(10_000);
        c.evaluateOutliers();
        EndpointSnapshot e = c.snapshot().endpoints().get(4);
        assertThat(e.ejected()).isTrue();
        assertThat(e.ejectionReason()).isEqualTo("failure_percentage");
        assertThat(e.avoidedReason()).isEqualTo("ejected by outlier detection (failure_percentage) for 30000 ms");
    }

    @Test
    void panicModeIgnoresEjectionsWhenTooFewAreHealthy() {
        ClusterBalancer c = cluster(rr().outlierDetection(OutlierDetectionConfig.builder().maxEjectionPercent(100)
                .build()), "a:1", "b:1", "c:1");
        failUntilEjected(c, "a:1");
        failUntilEjected(c, "b:1");
        assertThat(c.isEjected("a:1")).isTrue();
        assertThat(c.isEjected("b:1")).isTrue();
        // 1 of 3 healthy = 33 % < 50 %: panic, all endpoints used
        Set<String> used = new java.util.HashSet<>();
        for (int i = 0; i < 6; i++) {
            CallHandle h = c.pick().handle();
            used.add(h.address());
            h.cancel();
        }
        assertThat(used).containsExactlyInAnyOrder("a:1", "b:1", "c:1");
        assertThat(c.snapshot().panic()).isTrue();
    }

    private static void failUntilEjected(ClusterBalancer c, String address) {
        for (int i = 0; i < 100 && !c.isEjected(address); i++) {
            CallHandle h = c.pick().handle();
            if (h.address().equals(address)) {
                h.complete(Outcome.status(500));
            } else {
                h.cancel();
            }
        }
    }

    @Test
    void hedgeDelayComesFromConfigOrTheEndpointsP95AndTheLoserIsCancelled() {
        ClusterBalancer c = cluster(rr().hedge(HedgeConfig.atPercentile(0.95)), "a:1", "b:1");
        for (int i = 1; i <= 40; i++) {
            CallHandle h = c.pick(Set.of("b:1")).handle();
            clock.advanceMillis(i);
            h.complete(Outcome.OK);
        }
        CallHandle first = c.pick(Set.of("b:1")).handle();
        assertThat(c.hedgeDelayNanos(first, "GET", false)).hasValue(38 * MS);   // nearest-rank p95 of 1..40 ms
        assertThat(c.hedgeDelayNanos(first, "POST", false)).isEmpty();
        CallHandle hedge = c.pick(Set.of(first.address()), CallKind.HEDGE).handle();
        assertThat(hedge.address()).isEqualTo("b:1");
        hedge.complete(Outcome.OK);
        first.cancel();
        assertThat(c.activeRequests()).isZero();
        assertThat(c.snapshot().endpoints().get(0).failures()).isZero();
    }

    @Test
    void adaptiveConcurrencyShedsWithAC() {
        ClusterBalancer c = cluster(rr().adaptiveConcurrency(AdaptiveConcurrencyConfig.ENABLED_DEFAULTS), "a:1");
        for (int i = 0; i < 3; i++) {
            assertThat(c.pick().isAccepted()).isTrue();
        }
        Pick p = c.pick();   // measuring minRTT: pinned to min concurrency 3
        assertThat(p.refusal()).isEqualTo(Refusal.ADAPTIVE_CONCURRENCY);
        assertThat(p.refusal().flag()).isEqualTo("AC");
        assertThat(c.snapshot().concurrencyLimit()).isEqualTo(3);
    }

    @Test
    void predictiveSnapshotExplainsWhyAnEndpointIsAvoided() {
        ClusterBalancer c = cluster(BalancerConfig.builder().outlierDetection(OutlierDetectionConfig.DISABLED),
                "a:1", "b:1", "c:1");
        for (int i = 0; i < 300; i++) {
            CallHandle h = c.pick().handle();
            clock.advanceMillis(1);
            h.complete(h.address().equals("c:1") ? Outcome.status(503) : Outcome.OK);
        }
        ClusterSnapshot s = c.snapshot();
        assertThat(s.balancer()).isEqualTo("predictive");
        EndpointSnapshot failing = s.endpoints().get(2);
        assertThat(failing.failureProbability()).isGreaterThan(0.3);
        assertThat(failing.avoidedReason()).startsWith("predicted failure rate");
        assertThat(failing.trafficShare()).isLessThan(s.endpoints().get(0).trafficShare());
        assertThat(s.endpoints().get(0).avoidedReason()).isNull();
        assertThat(s.endpoints().get(0).confidence()).isGreaterThan(0.5);
        assertThat(s.endpoints().get(0).predictedLatencyMs()).isGreaterThan(0);
        double shares = s.endpoints().stream().mapToDouble(EndpointSnapshot::trafficShare).sum();
        assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void slowStartAppliesToEndpointsAddedLater() {
        ClusterBalancer c = cluster(BalancerConfig.builder().strategy("weighted_round_robin")
                .slowStart(SlowStartConfig.of(Duration.ofSeconds(10))), "a:1");
        c.updateEndpoints(List.of(Endpoint.of("a:1"), Endpoint.of("b:1")));
        clock.advanceMillis(5_000);
        ClusterSnapshot s = c.snapshot();
        assertThat(s.endpoints().get(0).slowStartFactor()).isEqualTo(1.0);
        assertThat(s.endpoints().get(1).slowStartFactor()).isEqualTo(0.5);
        assertThat(s.endpoints().get(1).avoidedReason()).isEqualTo("slow start: weight at 50%");
    }

    @Test
    void reconfigureKeepsStatisticsAndUnchangedBreakers() {
        ClusterBalancer c = cluster(rr(), "a:1");
        c.pick().handle().complete(Outcome.status(500));
        c.clusterBreaker().transitionToForcedOpenState();
        c.reconfigure(c.config().toBuilder().strategy("least_request").build());
        assertThat(c.strategy()).isEqualTo(StrategyName.LEAST_REQUEST);
        assertThat(c.snapshot().breakerState()).isEqualTo("FORCED_OPEN");
        assertThat(c.snapshot().endpoints().get(0).failures()).isEqualTo(1);
    }

    @Test
    void concurrentPicksAndCompletionsKeepCountersConsistent() throws Exception {
        ClusterBalancer c = ClusterBalancer.create("c", BalancerConfig.DEFAULTS,
                List.of(Endpoint.of("a:1"), Endpoint.of("b:1"), Endpoint.of("c:1")));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 2000; i++) {
                    Pick p = c.pick();
                    if (p.isAccepted()) {
                        p.handle().complete(1_000_000, i % 10 == 0 ? Outcome.status(500) : Outcome.OK, LoadHint.NONE);
                    }
                }
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(c.activeRequests()).isZero();
        assertThat(c.snapshot().endpoints()).allSatisfy(e -> assertThat(e.inFlight()).isZero());
        assertThat(c.snapshot().endpoints().stream().mapToLong(EndpointSnapshot::requests).sum()).isEqualTo(8000);
    }

    @Test
    void peerLoadReportsReachTheModelAndTheSnapshotUntilTheyAreStale() {
        ClusterBalancer c = cluster(BalancerConfig.builder().outlierDetection(OutlierDetectionConfig.DISABLED),
                "a:1", "b:1", "c:1");
        for (int i = 0; i < 60; i++) {
            CallHandle h = c.pick().handle();
            clock.advanceMillis(1);
            h.complete(20 * MS, Outcome.OK, LoadHint.NONE);
        }
        long now = clock.getAsLong();
        assertThat(c.observePeerLoad("nope:1", new PeerLoad(1, 1, 1, 0, 0, now))).isFalse();
        // b:1's own sidecar: idle here, but p50 400 ms (other clients keep it busy), taken 500 ms ago
        assertThat(c.observePeerLoad("b:1", new PeerLoad(0, 400, 900, 0, 0.95, now - 500 * MS))).isTrue();
        EndpointSnapshot b = c.snapshot().endpoints().get(1);
        assertThat(b.peerInFlight()).isEqualTo(0L);
        assertThat(b.peerP50Ms()).isEqualTo(400.0);
        assertThat(b.peerErrorRate()).isEqualTo(0.0);
        assertThat(b.peerAgeMs()).isEqualTo(500.0);
        assertThat(b.predictedLatencyMs()).isEqualTo(400.0);
        assertThat(b.avoidedReason()).startsWith("peer reports p50 400.0 ms with 0 in flight (500 ms ago)");
        assertThat(c.snapshot().endpoints().get(0).peerInFlight()).isNull();
        for (int i = 0; i < 30; i++) {
            CallHandle h = c.pick().handle();
            assertThat(h.address()).isNotEqualTo("b:1");
            h.complete(20 * MS, Outcome.OK, LoadHint.NONE);
        }
        clock.advanceMillis(2_501);                                    // 3001 ms old: past peerTtl
        b = c.snapshot().endpoints().get(1);
        assertThat(b.peerInFlight()).isNull();
        assertThat(b.peerP50Ms()).isNull();
        assertThat(b.peerAgeMs()).isNull();
    }

    @Test
    void aPeerErrorRatioIsNamedWhenItMakesAnEndpointAvoided() {
        ClusterBalancer c = cluster(BalancerConfig.builder().outlierDetection(OutlierDetectionConfig.DISABLED),
                "a:1", "b:1");
        c.observePeerLoad("b:1", new PeerLoad(0, 20, 40, 0.6, 0.2, clock.getAsLong()));
        EndpointSnapshot b = c.snapshot().endpoints().get(1);
        // no own data: p = 10 · 0.6 / 11
        assertThat(b.failureProbability()).isCloseTo(6.0 / 11, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(b.avoidedReason()).isEqualTo("predicted failure rate 55% (peer reports 60% errors, 0 ms old)");
        // a report of 5 in flight makes a:1 hot although we have nothing in flight there
        c.observePeerLoad("a:1", new PeerLoad(5, 20, 40, 0, 0.2, clock.getAsLong()));
        assertThat(c.snapshot().endpoints().get(0).avoidedReason())
                .isEqualTo("hot: 5 in flight (peer report, 0 ms old), above the q0.80 of the cluster (0)");
    }

    @Test
    void peerLoadRejectsImpossibleValuesNamingTheField() {
        assertThatThrownBy(() -> new PeerLoad(-1, 1, 1, 0, 0, 0)).hasMessageContaining("peerLoad.inFlight");
        assertThatThrownBy(() -> new PeerLoad(1, -2, 1, 0, 0, 0)).hasMessageContaining("peerLoad.p50Ms");
        assertThatThrownBy(() -> new PeerLoad(1, 1, Double.POSITIVE_INFINITY, 0, 0, 0))
                .hasMessageContaining("peerLoad.p99Ms");
        assertThatThrownBy(() -> new PeerLoad(1, 1, 1, 1.5, 0, 0)).hasMessageContaining("peerLoad.errorRate");
        assertThatThrownBy(() -> new PeerLoad(1, 1, 1, 0, -0.1, 0)).hasMessageContaining("peerLoad.cpu");
        assertThat(new PeerLoad(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0).hasP50()).isFalse();
    }
}
