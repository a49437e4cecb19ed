package io.sidecar.balancer.load;

import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.PeerLoad;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EndpointStateTest {

    private static final long MS = 1_000_000L;
    private static final EndpointState.Tuning TUNING = new EndpointState.Tuning(10_000 * MS, 30 * MS, 2_000 * MS,
            2_000 * MS, 10_000 * MS, 1_000 * MS, 3_000 * MS, 10);

    @Test
    void silentTimeCountsOnlyWhileBusy() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        assertThat(s.silentNanos(500 * MS)).isZero();
        int level = s.onStart(1_000 * MS);
        assertThat(level).isEqualTo(1);
        assertThat(s.silentNanos(1_300 * MS)).isEqualTo(300 * MS);
        s.onComplete(1_300 * MS, 300 * MS, Outcome.OK, LoadHint.NONE, level);
        assertThat(s.silentNanos(2_000 * MS)).isZero();
    }

    @Test
    void freshUpstreamLoadHintRaisesTheLoadLevelAndExpires() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        int level = s.onStart(0);
        s.onComplete(10 * MS, 10 * MS, Outcome.OK, new LoadHint(7, 12.0), level);
        // upstream reports 7 in flight, we have 0 → a new request joins 8
        assertThat(s.loadLevel(20 * MS)).isEqualTo(8);
        assertThat(s.freshHintP50Nanos(20 * MS)).isEqualTo(12.0 * MS);
        // after the hint TTL, only our own in-flight counts
        assertThat(s.loadLevel(2_000 * MS)).isEqualTo(1);
        assertThat(s.freshHintP50Nanos(2_000 * MS)).isNaN();
    }

    @Test
    void cancelledTriesTeachNothing() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        int level = s.onStart(0);
        s.onComplete(5 * MS, 5 * MS, Outcome.CANCELLED, LoadHint.NONE, level);
        assertThat(s.pending()).isZero();
        assertThat(s.latencyByLoad().samples()).isZero();
        assertThat(s.failures()).isZero();
        level = s.onStart(0);
        s.onComplete(5 * MS, 5 * MS, Outcome.failure(FailureKind.RESET), LoadHint.NONE, level);
        assertThat(s.failures()).isEqualTo(1);
        assertThat(s.failureProbability(5 * MS)).isEqualTo(0.5); // 1 failure / (1 call + prior 1)
    }

    @Test
    void aCancelledTryLongerThanTheEstimatesRaisesThemAShortOneDoesNot() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        for (int i = 0; i < 10; i++) {
            int level = s.onStart(0);
            s.onComplete(0, 20 * MS, Outcome.OK, LoadHint.NONE, level);
        }
        double before = s.latencyByLoad().predict(0, 1);
        int level = s.onStart(0);
        s.onComplete(0, 5 * MS, Outcome.CANCELLED, LoadHint.NONE, level);       // shorter: no information
        assertThat(s.latencyByLoad().predict(0, 1)).isEqualTo(before);
        level = s.onStart(1_000 * MS);                                            // the abandoned 5 ms try has decayed
        assertThat(level).isEqualTo(1);
        s.onComplete(1_200 * MS, 200 * MS, Outcome.CANCELLED, LoadHint.NONE, level);  // lost a hedge after 200 ms
        assertThat(s.latencyByLoad().predict(1_200 * MS, 1)).isGreaterThan(before);
        assertThat(s.peakEwma().lastValueNanos()).isEqualTo(200.0 * MS);
        assertThat(s.failures()).isZero();
    }

    @Test
    void abandonedTriesCountAsLoadForAboutAsLongAsTheyRan() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        int level = s.onStart(0);
        s.onComplete(1_000 * MS, 1_000 * MS, Outcome.failure(FailureKind.TIMEOUT), LoadHint.NONE, level);
        assertThat(s.pending()).isZero();
        // the server probably still works on it: weight exp(-age / 1 s)
        assertThat(s.abandonedLoad(1_000 * MS)).isEqualTo(1.0);
        assertThat(s.loadLevel(1_000 * MS)).isEqualTo(2);
        assertThat(s.abandonedLoad(2_000 * MS)).isCloseTo(Math.exp(-1), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.loadLevel(3_000 * MS)).isEqualTo(1);
        // a timeout is no response: the silence it ended does not count as an answer
        assertThat(s.silentNanos(3_000 * MS)).isZero();
    }

    private static PeerLoad peer(long inFlight, double p50Ms, double errorRate, long atNanos) {
        return new PeerLoad(inFlight, p50Ms, 2 * p50Ms, errorRate, 0.5, atNanos);
    }

    @Test
    void peerReportRaisesTheLoadLevelCorrectedByOurOwnInFlightAndExpiresAfterPeerTtl() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        s.onStart(0);                                                  // one of ours in flight when it arrives
        assertThat(s.observePeer(100 * MS, peer(6, 40, 0, 100 * MS))).isTrue();
        // reported 6 (ours included), our in-flight unchanged: a new request joins 7
        assertThat(s.loadLevel(200 * MS)).isEqualTo(7);
        assertThat(s.peerLevelFloor(200 * MS)).isEqualTo(7);
        s.onStart(200 * MS);                                           // +1 of ours since the report: 6 + 1 + 1
        assertThat(s.loadLevel(300 * MS)).isEqualTo(8);
        assertThat(s.peerP50FloorNanos(300 * MS)).isEqualTo(40.0 * MS);
        // peerTtl 3 s after the snapshot was taken: only our own 2 in flight count
        assertThat(s.loadLevel(3_100 * MS)).isEqualTo(8);
        assertThat(s.loadLevel(3_100 * MS + 1)).isEqualTo(3);
        assertThat(s.freshPeer(3_100 * MS + 1)).isNull();
        assertThat(s.peerP50FloorNanos(3_100 * MS + 1)).isNaN();
    }

    @Test
    void aFreshResponseHintWinsOverThePeerReport() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        int level = s.onStart(0);
        s.onComplete(10 * MS, 10 * MS, Outcome.OK, new LoadHint(2, 12.0), level);
        s.observePeer(20 * MS, peer(9, 50, 0, 20 * MS));
        assertThat(s.loadLevel(30 * MS)).isEqualTo(3);                 // hint: 2 + 1
        assertThat(s.peerLevelFloor(30 * MS)).isZero();
        assertThat(s.peerP50FloorNanos(30 * MS)).isNaN();
        // the hint expires after 1 s (at 1010 ms), the peer report only after 3 s (at 3020 ms)
        assertThat(s.loadLevel(1_100 * MS)).isEqualTo(10);
        assertThat(s.peerP50FloorNanos(1_100 * MS)).isEqualTo(50.0 * MS);
    }

    @Test
    void anOlderPeerReportIsIgnoredAndOneFromTheFutureCountsAsNow() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        assertThat(s.observePeer(1_000 * MS, peer(4, 20, 0, 5_000 * MS))).isTrue();
        assertThat(s.freshPeer(1_000 * MS).observedAtNanos()).isEqualTo(1_000 * MS);
        assertThat(s.observePeer(1_500 * MS, peer(9, 20, 0, 900 * MS))).isFalse();
        assertThat(s.freshPeer(1_500 * MS).inFlight()).isEqualTo(4);
        assertThat(s.observePeer(1_500 * MS, peer(9, 20, 0, 1_400 * MS))).isTrue();
        assertThat(s.freshPeer(1_500 * MS).inFlight()).isEqualTo(9);
    }

    @Test
    void peerErrorRatioIsAPriorWhoseWeightShrinksWithOwnObservations() {
        EndpointState s = new EndpointState(Endpoint.of("a:1"), 0, false, TUNING);
        s.observePeer(0, peer(0, 20, 0.5, 0));
        // no own data: p = (0 + 10 · 0.5) / (0 + 1 + 10)
        assertThat(s.failureProbability(0)).isCloseTo(5.0 / 11, within(1e-12));
        for (int i = 0; i < 20; i++) {
            int level = s.onStart(0);
            s.onComplete(0, 20 * MS, Outcome.OK, LoadHint.NONE, level);
        }
        // 20 own successes: p = (0 + 5) / (20 + 1 + 10)
        assertThat(s.failureProbability(0)).isCloseTo(5.0 / 31, within(1e-12));
        // own observations decay (tau 2 s): after 2 s, n = 20/e
        double n = 20 * Math.exp(-1);
        assertThat(s.failureProbability(2_000 * MS)).isCloseTo(5.0 / (n + 11), within(1e-12));
        // the report expires (3 s): own rate only, 0 failures
        assertThat(s.failureProbability(3_000 * MS + 1)).isZero();
    }
}
