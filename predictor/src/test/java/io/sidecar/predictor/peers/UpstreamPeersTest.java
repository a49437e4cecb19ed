package io.sidecar.predictor.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpstreamPeersTest {
    static PeerSnapshot snap(String svc, String id, long seq, String addr) {
        return new PeerSnapshot(svc, id, seq * 1000, seq, 10, 1, 5, 20, 0, 0.1, Map.of(), addr);
    }

    @Test
    void keepsWatchedServicesCallsBackAndForgetsSilentInstances() {
        ManualClock clock = new ManualClock();
        List<PeerSnapshot> seen = new ArrayList<>();
        List<PeerSnapshot> forgotten = new ArrayList<>();
        UpstreamPeers u = new UpstreamPeers(Set.of("catalog", "payments"), Duration.ofSeconds(3), clock, seen::add,
                forgotten::add);
        assertThat(u.update(snap("catalog", "c-0", 1, "10.0.0.7:15001"))).isTrue();
        assertThat(u.update(snap("catalog", "c-1", 1, "10.0.0.8:15001"))).isTrue();
        assertThat(u.update(snap("catalog", "c-1", 1, "10.0.0.8:15001"))).as("duplicate").isFalse();
        assertThat(u.update(snap("orders", "o-0", 1, null))).as("not watched").isFalse();
        assertThat(seen).extracting(PeerSnapshot::instance).containsExactly("c-0", "c-1");
        assertThat(u.peers("catalog")).extracting(PeerSnapshot::addr).containsExactly("10.0.0.7:15001",
                "10.0.0.8:15001");
        assertThat(u.peers("orders")).isEmpty();

        clock.now = clock.now.plusSeconds(2);
        u.update(snap("catalog", "c-0", 2, "10.0.0.7:15001"));
        clock.now = clock.now.plusMillis(1_500);
        u.expire();
        assertThat(forgotten).extracting(PeerSnapshot::instance).containsExactly("c-1");
        assertThat(u.peers("catalog")).extracting(PeerSnapshot::instance).containsExactly("c-0");
    }

    @Test
    void addressRoundTripsThroughJsonAndIsOptional() {
        PeerSnapshot with = snap("catalog", "c-0", 3, "10.0.0.7:15001");
        String json = PeerSnapshotJson.encode(with);
        assertThat(json).contains("\"addr\":\"10.0.0.7:15001\"");
        assertThat(PeerSnapshotJson.decode(json)).contains(with);
        PeerSnapshot without = snap("catalog", "c-0", 3, null);
        assertThat(PeerSnapshotJson.encode(without)).doesNotContain("addr");
        assertThat(PeerSnapshotJson.decode(PeerSnapshotJson.encode(without)).orElseThrow().addr()).isNull();
        // an older writer's message without the field
        assertThat(PeerSnapshotJson.decode("{\"v\":1,\"svc\":\"catalog\",\"id\":\"c-9\",\"seq\":1}").orElseThrow()
                .addr()).isNull();
    }
}
