package io.sidecar.predictor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.config.PredictorConfig;
import io.sidecar.predictor.history.InMemoryHistoryStore;
import io.sidecar.predictor.peers.PeerSnapshot;
import io.sidecar.predictor.signals.MinuteRollup;
import io.sidecar.predictor.signals.TrafficSignals;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PredictorTest {
    private static MinuteRollup minute(String route, Instant at, double rate, double p99, double errorRate,
                                       double inFlight) {
        long req = Math.round(rate * 60);
        return new MinuteRollup("route", route, at, req, rate, Math.round(req * errorRate), errorRate, p99 / 4, p99,
                inFlight, inFlight + 2, req * 100, Double.NaN);
    }

    /** Feeds `minutes` minutes of a daily-ish pattern; latency jumps at `incidentAt`. */
    private static void feed(Predictor p, ManualClock clock, int minutes, int incidentAt) {
        Random r = new Random(5);
        for (int m = 0; m < minutes; m++) {
            double rate = 100 + 40 * Math.sin(2 * Math.PI * m / 240.0) + 3 * r.nextGaussian();
            double p99 = (m >= incidentAt && m < incidentAt + 5 ? 400 : 80) + 4 * r.nextGaussian();
            double inFlight = rate * p99 / 4 / 1000 * (1 + 0.002 * rate);
            p.onMinute(List.of(minute("api", clock.now, rate, p99, 0.001, inFlight)), clock.now);
            clock.now = clock.now.plusSeconds(60);
        }
    }

    @Test
    void minutesDriveForecastsAlertsAndAdvice() {
        ManualClock clock = new ManualClock();
        InMemoryHistoryStore history = new InMemoryHistoryStore(100_000, Duration.ofDays(30), clock);
        Predictor p = new Predictor(PredictorConfig.defaults("checkout", "c-0"), clock, history);
        feed(p, clock, 420, 360);
        assertThat(p.forecastMetrics()).contains("route:api:rate", "route:api:p99_ms", Predictor.SERVICE_RATE);
        assertThat(p.forecast("route:api:rate", 30)).hasSize(30);
        List<Alert> alerts = p.recentAlerts(10);
        assertThat(alerts).isNotEmpty();
        assertThat(alerts.get(0).metric()).isEqualTo("route:api:p99_ms");
        assertThat(alerts.get(0).at()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(360 * 60));
        assertThat(p.recentAlerts(10).stream().filter(a -> a.metric().equals("route:api:p99_ms")).count())
                .isEqualTo(1); // one alert for the 5-minute episode
        assertThat(p.scaling()).isPresent();
        assertThat(p.scaling().get().capacityMethod()).isEqualTo("usl");
        assertThat(p.recommendedReplicas()).isBetween(1, 10);
        assertThat(history.recentAlerts(10).toCompletableFuture().join()).hasSameSizeAs(alerts);
        assertThat(history.modelVersions()).isNotEmpty();
        assertThat(p.modelVersions("route:api:rate")).isNotEmpty();
    }

    @Test
    void baselinesAreRebuiltFromHistoryAfterARestart() {
        ManualClock clock = new ManualClock();
        InMemoryHistoryStore history = new InMemoryHistoryStore(100_000, Duration.ofDays(30), clock);
        Predictor before = new Predictor(PredictorConfig.defaults("checkout", "c-0"), clock, history);
        feed(before, clock, 300, Integer.MAX_VALUE);
        double expected = before.forecast("route:api:rate", 1).get(0).point();

        Predictor after = new Predictor(PredictorConfig.defaults("checkout", "c-0"), clock, history);
        assertThat(after.forecast("route:api:rate", 1)).isEmpty();
        int replayed = after.restore(List.of("api"), Duration.ofDays(1)).toCompletableFuture().join();
        assertThat(replayed).isEqualTo(300);
        assertThat(after.forecast("route:api:rate", 1)).hasSize(1);
        assertThat(after.forecast("route:api:rate", 1).get(0).point()).isCloseTo(expected,
                org.assertj.core.data.Offset.offset(10.0));
        assertThat(after.recentAlerts(10)).isEmpty();
    }

    @Test
    void peerOutlierLatencyAlerts() {
        ManualClock clock = new ManualClock();
        Predictor p = new Predictor(PredictorConfig.defaults("checkout", "c-0"), clock, new InMemoryHistoryStore());
        feed(p, clock, 100, Integer.MAX_VALUE);
        for (int i = 1; i <= 4; i++) {
            p.peers().update(new PeerSnapshot("checkout", "c-" + i, clock.millis(), 1, 100, 2, 20, 80 + i, 0.001,
                    0.3, Map.of("api", new PeerSnapshot.RouteLoad(100, 2, 20, 80 + i, 0.001))));
        }
        // this instance's latency drifts up slowly (no spike for the residual test), far above the peers'
        for (int m = 0; m < 40; m++) {
            double p99 = 80 + m * 4;
            p.onMinute(List.of(minute("api", clock.now, 100, p99, 0.001, 2)), clock.now);
            clock.now = clock.now.plusSeconds(60);
            p.peers().peers().forEach(peer -> p.peers().update(new PeerSnapshot(peer.service(), peer.instance(),
                    clock.millis(), peer.seq() + 1, 100, 2, 20, peer.p99Ms(), 0.001, 0.3, peer.routes())));
        }
        assertThat(p.recentAlerts(10)).anySatisfy(a -> assertThat(a.kind()).isIn("peer_outlier", "level_shift",
                "spike"));
        assertThat(p.anomalyScores()).containsKey("route:api:p99_ms");
    }

    @Test
    void realTicksProduceMinuteRollupsAndASnapshot() {
        ManualClock clock = new ManualClock();
        Predictor p = new Predictor(PredictorConfig.defaults("checkout", "c-0"), clock, new InMemoryHistoryStore());
        TrafficSignals api = p.signals().route("api");
        for (int s = 0; s < 180; s++) {
            for (int i = 0; i < 5; i++) {
                api.begin();
                api.record(10_000_000, 200, null, 100);
            }
            clock.now = clock.now.plusSeconds(1);
            p.tick();
        }
        assertThat(p.forecaster("route:api:rate")).isPresent();
        assertThat(p.forecaster("route:api:rate").get().observed()).isEqualTo(3);
        api.begin();
        api.begin();
        p.signals().route("outbound").begin();
        assertThat(p.loadHint().encode()).isEqualTo("rif=3;p50=10");
        p.servingRoutes(java.util.Set.of("api"));
        assertThat(p.loadHint().encode()).isEqualTo("rif=2;p50=10");
        PeerSnapshot snap = p.localSnapshot();
        assertThat(snap.rate()).isEqualTo(5.0);
        assertThat(snap.inFlight()).isEqualTo(2); // instance-wide figures cover the serving routes only
        assertThat(snap.routes()).containsKeys("api", "outbound");
        assertThat(p.scaling()).isPresent();
    }

    @Test
    void localSnapshotAdvertisesTheConfiguredAddress() {
        ManualClock clock = new ManualClock();
        PredictorConfig plain = PredictorConfig.defaults("catalog", "catalog-0");
        assertThat(new Predictor(plain, clock, new InMemoryHistoryStore()).localSnapshot().addr()).isNull();
        PredictorConfig advertised = new PredictorConfig("catalog", "catalog-0",
                io.sidecar.predictor.config.PeersConfig.LOCAL_ONLY.withAdvertise("10.0.0.7:15001"), null, null, null);
        PeerSnapshot snap = new Predictor(advertised, clock, new InMemoryHistoryStore()).localSnapshot();
        assertThat(snap.addr()).isEqualTo("10.0.0.7:15001");
    }
}
