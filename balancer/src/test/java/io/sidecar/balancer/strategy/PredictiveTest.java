package io.sidecar.balancer.strategy;

import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.PeerLoad;
import io.sidecar.balancer.load.EndpointState;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.sidecar.balancer.strategy.StrategyFixtures.MS;
import static io.sidecar.balancer.strategy.StrategyFixtures.endpoint;
import static io.sidecar.balancer.strategy.StrategyFixtures.observe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PredictiveTest {

    private final Predictive predictive = new Predictive(PredictiveConfig.DEFAULTS, new SplittableRandom(1));

    @Test
    void withoutDataTheModelFallsBackToPeakEwmaCost() {
        EndpointState s = endpoint("a:1");
        Prediction p = predictive.predict(s, 0);
        assertThat(p.fallback()).isTrue();
        assertThat(p.modelLatencyNanos() / MS).isCloseTo(30, within(1e-9));   // default rtt · level 1
        assertThat(p.costNanos() / MS).isCloseTo(30, within(1e-9));
    }

    @Test
    void costAddsThePredictedFailurePenalty() {
        EndpointState s = endpoint("a:1");
        long t = 1_000 * MS;
        observe(s, t, 10, 20, Outcome.OK);
        observe(s, t, 10, 20, Outcome.status(500));
        Prediction p = predictive.predict(s, t);
        assertThat(p.fallback()).isFalse();
        assertThat(p.predictedLatencyNanos() / MS).isCloseTo(20, within(1e-9));
        // p(fail) = 10 / (20 + 1); cost = 20 ms + p · 1000 ms
        assertThat(p.failureProbability()).isCloseTo(10.0 / 21, within(1e-12));
        assertThat(p.costNanos() / MS).isCloseTo(20 + 1000 * 10.0 / 21, within(1e-6));
    }

    @Test
    void silenceWhileBusyRaisesThePrediction() {
        EndpointState s = endpoint("a:1");
        observe(s, 0, 10, 20, Outcome.OK);
        s.onStart(0);
        Prediction p = predictive.predict(s, 300 * MS);
        assertThat(p.silentNanos()).isEqualTo(300 * MS);
        assertThat(p.predictedLatencyNanos()).isEqualTo(300.0 * MS);
    }

    @Test
    void upstreamP50HintRaisesThePrediction() {
        EndpointState s = endpoint("a:1");
        observe(s, 0, 10, 20, Outcome.OK);
        int level = s.onStart(0);
        s.onComplete(0, 20 * MS, Outcome.OK, new LoadHint(0, 80.0), level);
        assertThat(predictive.predict(s, 10 * MS).predictedLatencyNanos() / MS).isCloseTo(80, within(1e-9));
    }

    @Test
    void prefersTheFastEndpointAndAvoidsOneThatFails() {
        EndpointState fast = endpoint("fast:1");
        EndpointState slow = endpoint("slow:1");
        EndpointState failing = endpoint("failing:1");
        long t = 1_000 * MS;
        observe(fast, t, 20, 10, Outcome.OK);
        observe(slow, t, 20, 40, Outcome.OK);
        observe(failing, t, 20, 1, Outcome.status(503));
        assertThat(predictive.choose(List.of(fast, slow, failing), t)).isSameAs(fast);
    }

    @Test
    void hotColdRuleSkipsAnEndpointWithManyInFlight() {
        EndpointState a = endpoint("a:1");
        EndpointState b = endpoint("b:1");
        EndpointState c = endpoint("c:1");
        EndpointState d = endpoint("d:1");
        long t = 1_000 * MS;
        for (EndpointState s : List.of(a, b, c, d)) {
            observe(s, t, 20, 20, Outcome.OK);
        }
        // a's model says it stays fast however loaded (observed at level 1 only... teach it level 9 too)
        for (int i = 0; i < 20; i++) {
            a.latencyByLoad().record(t, 9, 5 * MS);
        }
        for (int i = 0; i < 8; i++) {
            a.onStart(t);
        }
        // rif: a 8, others 0; q0.8 of [0,0,0,8] (index 2) = 0 → a is hot although its cost is lowest
        assertThat(predictive.hotThreshold(List.of(a, b, c, d), t)).isEqualTo(0.0);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            counts.merge(predictive.choose(List.of(a, b, c, d), t).address(), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey("a:1");
    }

    @Test
    void exploresAnAvoidedIdleEndpointAfterTheIntervalThenBacksOff() {
        EndpointState good = endpoint("good:1");
        EndpointState bad = endpoint("bad:1");
        long t = 10_000 * MS;
        observe(good, t, 20, 10, Outcome.OK);
        observe(bad, t, 20, 500, Outcome.OK);
        assertThat(predictive.choose(List.of(good, bad), t)).isSameAs(good);
        // good stays busy-free and picked; bad idle for 1 s → explored once
        long t1 = t + 1_000 * MS;
        observe(good, t1, 1, 10, Outcome.OK);
        assertThat(predictive.choose(List.of(good, bad), t1)).isSameAs(bad);
        int level = bad.onStart(t1);   // the balancer starts the probe; it comes back slow again
        bad.onComplete(t1, 500 * MS, Outcome.OK, LoadHint.NONE, level);
        // next exploration only after 2 s (doubled), not after 1 s
        long t2 = t1 + 1_500 * MS;
        observe(good, t2, 1, 10, Outcome.OK);
        assertThat(predictive.choose(List.of(good, bad), t2)).isSameAs(good);
        long t3 = t1 + 2_000 * MS;
        observe(good, t3, 1, 10, Outcome.OK);
        assertThat(predictive.choose(List.of(good, bad), t3)).isSameAs(bad);
    }

    @Test
    void withNoConfidentEndpointBehavesAsP2cPeakEwma() {
        EndpointState a = endpoint("a:1");
        EndpointState b = endpoint("b:1");
        observe(a, 0, 3, 200, Outcome.OK);   // fewer than minSamples, but peak-EWMA 200 ms
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            counts.merge(predictive.choose(List.of(a, b), 0).address(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("b:1");
    }

    @Test
    void whenEveryEndpointWouldMissTheDeadlineTheMostHopelessOneTakesTheTry() {
        EndpointState bad = endpoint("bad:1");
        EndpointState worse = endpoint("worse:1");
        long t = 1_000 * MS;
        observe(bad, t, 20, 1_500, Outcome.OK);
        observe(worse, t, 20, 2_000, Outcome.OK);
        // deadline 1 s: both predictions exceed it → the already hopeless endpoint, sparing the other
        assertThat(predictive.choose(List.of(bad, worse), t, 1_000 * MS)).isSameAs(worse);
        // deadline 3 s or none: the normal choice
        assertThat(predictive.choose(List.of(bad, worse), t, 3_000 * MS)).isSameAs(bad);
        assertThat(predictive.choose(List.of(bad, worse), t, 0)).isSameAs(bad);
    }

    @Test
    void aFreshPeerReportRaisesThePredictionOfAnEndpointWeHaveNotTalkedToRecently() {
        EndpointState loaded = endpoint("loaded:1");
        EndpointState quiet = endpoint("quiet:1");
        long t = 1_000 * MS;
        observe(loaded, t, 20, 20, Outcome.OK);
        observe(quiet, t, 20, 20, Outcome.OK);
        // loaded's own sidecar reports 30 in flight, p50 120 ms, 10 % errors
        loaded.observePeer(t, new PeerLoad(30, 120, 300, 0.1, 0.9, t));
        Prediction p = predictive.predict(loaded, t + 100 * MS);
        assertThat(p.loadLevel()).isEqualTo(31);
        assertThat(p.peerP50Nanos() / MS).isCloseTo(120, within(1e-9));
        // model at level 31 from level-1 data: 20 ms · 31 / 1 = 620 ms, above the peer p50 floor; own weight
        // n = 20 · e^(-0.1 s / 2 s) against the report's 10: 120 + n / (n + 10) · (620 − 120)
        double n = 20 * Math.exp(-0.05);
        assertThat(p.modelLatencyNanos() / MS).isCloseTo(620, within(1e-6));
        assertThat(p.predictedLatencyNanos() / MS).isCloseTo(120 + n / (n + 10) * 500, within(1e-6));
        // p = (0 + 10 · 0.1) / (n + 1 + 10)
        assertThat(p.failureProbability()).isCloseTo(1.0 / (n + 11), within(1e-12));
        assertThat(predictive.predict(quiet, t + 100 * MS).peerP50Nanos()).isNaN();
        assertThat(predictive.choose(List.of(loaded, quiet), t + 100 * MS)).isSameAs(quiet);
    }

    @Test
    void peerP50IsAFloorThatAlsoCorrectsAStaleHighPrediction() {
        // p50_peer + w / (w + k) · max(0, own − p50_peer)
        assertThat(Predictive.withPeerP50(620 * MS, 120 * MS, 40, 10) / MS).isCloseTo(120 + 0.8 * 500, within(1e-9));
        assertThat(Predictive.withPeerP50(20 * MS, 120 * MS, 40, 10) / MS).isCloseTo(120, within(1e-9));
        assertThat(Predictive.withPeerP50(1_000 * MS, 20 * MS, 0, 10) / MS).isCloseTo(20, within(1e-9));
    }

    @Test
    void aRecoveredEndpointIsSeenFromItsPeerReportWithoutAProbe() {
        EndpointState good = endpoint("good:1");
        EndpointState slow = endpoint("slow:1");
        long t = 1_000 * MS;
        observe(good, t, 20, 20, Outcome.OK);
        observe(slow, t, 20, 1_000, Outcome.OK);   // its last answers took 1 s
        // 20 s later (our own data about slow: weight 20 · e^-10), good still busy answering in 20 ms
        long later = t + 20_000 * MS;
        observe(good, later, 20, 20, Outcome.OK);
        // slow is idle and not picked for 20 s: without a report it is probed
        assertThat(predictive.dueForExploration(slow, later)).isTrue();
        // its own sidecar reports p50 25 ms: no probe needed, the report stands in for the stale model
        slow.observePeer(later, new PeerLoad(0, 25, 40, 0, 0.1, later));
        assertThat(predictive.dueForExploration(slow, later)).isFalse();
        double w = 20 * Math.exp(-10);
        Prediction p = predictive.predict(slow, later);
        assertThat(p.predictedLatencyNanos() / MS).isCloseTo(25 + w / (w + 10) * (1_000 - 25), within(1e-6));
        // still worse than good (20 ms) → not chosen; when it reports 15 ms it wins on merit
        assertThat(predictive.choose(List.of(good, slow), later)).isSameAs(good);
        slow.observePeer(later, new PeerLoad(0, 15, 40, 0, 0.1, later));
        assertThat(predictive.predict(slow, later).predictedLatencyNanos())
                .isLessThan(predictive.predict(good, later).predictedLatencyNanos());
        assertThat(predictive.choose(List.of(good, slow), later)).isSameAs(slow);
    }
}
