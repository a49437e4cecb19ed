package io.sidecar.predictor.peers;

import io.sidecar.predictor.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.signals.Signals;
import io.sidecar.predictor.signals.TrafficSignals;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerTableTest {
    static PeerSnapshot snap(String id, long seq, double rate, double p99) {
        return new PeerSnapshot("svc", id, seq * 1000, seq, rate, 1, p99 / 4, p99, 0.0, 0.1,
                Map.of("r", new PeerSnapshot.RouteLoad(rate, 1, p99 / 4, p99, 0)));
    }

    @Test
    void keepsLatestForgetsSilentIgnoresSelfAndOtherServices() {
        ManualClock clock = new ManualClock();
        PeerTable t = new PeerTable("svc", "me", Duration.ofSeconds(3), clock);
        assertThat(t.update(snap("a", 1, 10, 40))).isTrue();
        assertThat(t.update(snap("a", 2, 20, 40))).isTrue();
        assertThat(t.update(snap("a", 1, 99, 40))).isFalse();
        assertThat(t.update(snap("me", 5, 10, 40))).isFalse();
        assertThat(t.update(new PeerSnapshot("other", "x", 0, 0, 1, 0, 1, 1, 0, 0, null))).isFalse();
        assertThat(t.peers()).extracting(PeerSnapshot::rate).containsExactly(20.0);
        clock.now = clock.now.plusSeconds(2);
        t.update(snap("b", 1, 5, 400));
        clock.now = clock.now.plusSeconds(2);
        assertThat(t.peers()).extracting(PeerSnapshot::instance).containsExactly("b");
        ServiceView view = t.view(snap("me", 1, 7, 50));
        assertThat(view.instances()).isEqualTo(2);
        assertThat(view.totalRate()).isEqualTo(12.0);
        assertThat(view.p99Ms().max()).isEqualTo(400.0);
        assertThat(view.p99Ms().min()).isEqualTo(50.0);
    }

    @Test
    void snapshotJsonRoundTripsAndToleratesJunk() {
        Signals signals = new Signals(Clock.systemUTC());
        TrafficSignals r = signals.route("catalog");
        for (int i = 0; i < 10; i++) {
            r.begin();
            r.record(20_000_000, i == 0 ? 503 : 200, null, 10);
        }
        signals.tick();
        PeerSnapshot s = PeerSnapshot.of("svc", "me", 7, signals.snapshot());
        assertThat(s.rate()).isEqualTo(10.0); // 10 requests in the 1 s the 10 s window has seen so far
        assertThat(s.errorRate()).isEqualTo(0.1);
        assertThat(s.p50Ms()).isCloseTo(20, org.assertj.core.data.Offset.offset(0.5));
        PeerSnapshot back = PeerSnapshotJson.decode(PeerSnapshotJson.encode(s)).orElseThrow();
        assertThat(back.instance()).isEqualTo("me");
        assertThat(back.seq()).isEqualTo(7);
        assertThat(back.routes()).containsKey("catalog");
        assertThat(PeerSnapshotJson.decode("{not json")).isEmpty();
        assertThat(PeerSnapshotJson.decode("{\"svc\":\"x\"}")).isEmpty();
        assertThat(PeerSnapshotJson.decode("{\"svc\":\"x\",\"id\":\"y\",\"extra\":[1]}")).isPresent();
    }
}
