package io.sidecar.balancer.load;

import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointStateTest {

    private static final long MS = 1_000_000L;
    private static final EndpointState.Tuning TUNING = new EndpointState.Tuning(10_000 * MS, 30 * MS, 2_000 * MS,
            2_000 * MS, 10_000 * MS, 1_000 * MS);

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
}
