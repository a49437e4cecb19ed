package io.sidecar.balancer.sim;

import io.sidecar.balancer.PeerLoad;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedEndpointTest {

    @Test
    void peerSnapshotReportsInFlightCpuAndTheLastTenSecondsOfCompletions() {
        VirtualClock clock = new VirtualClock();
        EventLoop loop = new EventLoop(clock);
        EndpointBehaviour halfFailing = new EndpointBehaviour() {
            @Override
            public double medianServiceNanos(long now) {
                return 20e6;
            }

            @Override
            public double failureProbability(long now) {
                return 0.5;
            }
        };
        SimulatedEndpoint ep = new SimulatedEndpoint("a:1", 2, halfFailing, loop, clock, new SplittableRandom(1));
        List<Long> latencies = new ArrayList<>();
        int[] failed = new int[1];
        for (int i = 0; i < 3; i++) {
            ep.receive(new SimulatedEndpoint.Request((status, hint) -> {
                latencies.add(clock.getAsLong());      // all arrived at 0: server latency = finish time
                failed[0] += status >= 500 ? 1 : 0;
            }));
        }
        PeerLoad busy = ep.peerSnapshot();
        assertThat(busy.inFlight()).isEqualTo(3);      // 2 in service + 1 queued
        assertThat(busy.cpu()).isEqualTo(1.0);
        assertThat(busy.hasP50()).isFalse();
        assertThat(busy.hasErrorRate()).isFalse();

        loop.runUntil(5_000_000_000L);
        latencies.sort(null);
        PeerLoad idle = ep.peerSnapshot();
        assertThat(idle.inFlight()).isZero();
        assertThat(idle.cpu()).isZero();
        assertThat(idle.p50Ms()).isEqualTo(latencies.get(1) / 1e6);   // median of 3
        assertThat(idle.p99Ms()).isEqualTo(latencies.get(2) / 1e6);   // nearest rank ceil(0.99 · 3) = 3rd
        assertThat(idle.errorRate()).isEqualTo(failed[0] / 3.0);
        assertThat(idle.observedAtNanos()).isEqualTo(clock.getAsLong());

        loop.at(latencies.get(2) + SimulatedEndpoint.PEER_WINDOW_NANOS, () -> { });
        loop.runUntil(Long.MAX_VALUE);
        assertThat(ep.peerSnapshot().hasP50()).isFalse();               // completions older than 10 s are gone
    }
}
