package io.sidecar.predictor.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalsTest {
    private final Signals signals = new Signals(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    private static void request(TrafficSignals t, long millis, int status, String flag) {
        t.begin();
        t.record(millis * 1_000_000, status, flag, 100);
    }

    @Test
    void windowsRollAndPercentilesFollowTheRecordedLatencies() {
        TrafficSignals r = signals.route("api");
        assertThat(signals.route("api")).isSameAs(r);
        for (int i = 1; i <= 100; i++) {
            request(r, i, 200, null);
        }
        signals.tick();
        TrafficSnapshot s = r.snapshot();
        assertThat(s.last1s().requests()).isEqualTo(100);
        assertThat(s.last1s().ratePerSecond()).isEqualTo(100.0);
        assertThat(s.last1s().p50Ms()).isCloseTo(50, offset(1.0));
        assertThat(s.last1s().p99Ms()).isCloseTo(99, offset(1.5));
        assertThat(s.last1s().bytesPerSecond()).isEqualTo(10_000.0);
        assertThat(r.p50Last10sMs()).isCloseTo(50, offset(1.0));
        // a quiet second: the 1 s window empties, the 10 s window still holds the traffic
        signals.tick();
        s = r.snapshot();
        assertThat(s.last1s().requests()).isZero();
        assertThat(s.last1s().p50Ms()).isNaN();
        assertThat(s.last10s().requests()).isEqualTo(100);
        assertThat(s.last10s().ratePerSecond()).isEqualTo(50.0);
        for (int i = 0; i < 10; i++) {
            signals.tick();
        }
        s = r.snapshot();
        assertThat(s.last10s().requests()).isZero();
        assertThat(s.last1m().requests()).isEqualTo(100);
        assertThat(s.last1m().p50Ms()).isCloseTo(50, offset(1.0));
    }

    @Test
    void minuteWindowCoversExactlyTheCompletedBlocksWhenABlockIsPartial() {
        TrafficSignals r = signals.route("partial");
        for (int tick = 0; tick < 65; tick++) {
            for (int i = 0; i < tick; i++) {
                request(r, 1 + tick, 200, null);
            }
            signals.tick();
        }
        // six completed 10 s blocks = ticks 0..59 carrying 0 + 1 + ... + 59 requests; ticks 60..64 are partial
        TrafficSnapshot s = r.snapshot();
        assertThat(s.last1m().requests()).isEqualTo(1770);
        assertThat(s.last1m().ratePerSecond()).isEqualTo(1770 / 60.0);
        assertThat(s.last10s().requests()).isEqualTo(55 + 56 + 57 + 58 + 59 + 60 + 61 + 62 + 63 + 64);
    }

    @Test
    void errorsByClassAndFlagAndCacheRatio() {
        TrafficSignals r = signals.route("pay");
        request(r, 5, 200, null);
        request(r, 5, 503, "UO");
        request(r, 5, 0, "UF");
        request(r, 5, 404, "-");
        r.cacheLookup(true);
        r.cacheLookup(true);
        r.cacheLookup(false);
        signals.tick();
        TrafficSnapshot s = r.snapshot();
        assertThat(s.statusClasses()).containsEntry("2xx", 1L).containsEntry("5xx", 1L).containsEntry("none", 1L)
                .containsEntry("4xx", 1L);
        assertThat(s.flags()).containsOnlyKeys("UO", "UF");
        assertThat(s.last1s().errors()).isEqualTo(2);
        assertThat(s.last1s().errorRate()).isEqualTo(0.5);
        assertThat(s.cacheHitRatio()).isCloseTo(2 / 3.0, offset(1e-9));
    }

    @Test
    void inFlightAndLoadHint() {
        TrafficSignals c = signals.cluster("catalog");
        c.begin();
        c.begin();
        c.begin();
        assertThat(c.inFlight()).isEqualTo(3);
        c.record(12_000_000, 200, null, 0);
        signals.tick();
        LoadHint hint = c.loadHint();
        assertThat(hint.requestsInFlight()).isEqualTo(2);
        assertThat(hint.encode()).isEqualTo("rif=2;p50=12");
    }

    @Test
    void minuteRollupEverySixtyTicks() {
        List<MinuteRollup> rollups = new ArrayList<>();
        signals.onMinute(rollups::add);
        TrafficSignals e = signals.endpoint("catalog", "127.0.0.1:1");
        for (int sec = 0; sec < 120; sec++) {
            for (int i = 0; i < 10; i++) {
                request(e, 20, sec % 2 == 0 ? 200 : 500, null);
            }
            signals.tick();
        }
        assertThat(rollups).hasSize(2);
        MinuteRollup m = rollups.get(0);
        assertThat(m.name()).isEqualTo("catalog/127.0.0.1:1");
        assertThat(m.requests()).isEqualTo(600);
        assertThat(m.ratePerSecond()).isEqualTo(10.0);
        assertThat(m.errorRate()).isEqualTo(0.5);
        assertThat(m.p50Ms()).isCloseTo(20, offset(0.5));
    }

    /**
     * The windows are kept as their non-empty buckets and merged when read: their percentiles must be exactly those
     * of one histogram fed the same latencies (1 s: the last tick; 10 s: the last ten; 1 min: the six completed
     * 10-second blocks, here ticks 10..69).
     */
    @Test
    void windowPercentilesAreExactlyThoseOfOneHistogramOverTheSameSeconds() {
        TrafficSignals r = signals.route("exact");
        org.HdrHistogram.AbstractHistogram lastSecond = newWindowHistogram();
        org.HdrHistogram.AbstractHistogram lastTen = newWindowHistogram();
        org.HdrHistogram.AbstractHistogram minute = newWindowHistogram();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int tick = 0; tick < 70; tick++) {
            int count = 50 + random.nextInt(200);
            double median = 200 + 50 * tick; // microseconds: each second sits a little higher than the one before
            for (int i = 0; i < count; i++) {
                long micros = Math.max(1, (long) (median * Math.exp(random.nextGaussian())));
                r.begin();
                r.record(micros * 1_000, 200, null, 0);
                if (tick == 69) lastSecond.recordValue(micros);
                if (tick >= 60) lastTen.recordValue(micros);
                if (tick >= 10) minute.recordValue(micros);
            }
            signals.tick();
        }
        TrafficSnapshot s = r.snapshot();
        assertWindow(s.last1s(), lastSecond);
        assertWindow(s.last10s(), lastTen);
        assertWindow(s.last1m(), minute);
        assertThat(r.p50Last10sMs()).isEqualTo(lastTen.getValueAtPercentile(50) / 1000.0);
    }

    private static org.HdrHistogram.AbstractHistogram newWindowHistogram() {
        return new org.HdrHistogram.Histogram(1, TrafficSignals.MAX_LATENCY_MICROS, 2);
    }

    private static void assertWindow(WindowStats w, org.HdrHistogram.AbstractHistogram expected) {
        assertThat(w.requests()).isEqualTo(expected.getTotalCount());
        assertThat(w.p50Ms()).isEqualTo(expected.getValueAtPercentile(50) / 1000.0);
        assertThat(w.p90Ms()).isEqualTo(expected.getValueAtPercentile(90) / 1000.0);
        assertThat(w.p99Ms()).isEqualTo(expected.getValueAtPercentile(99) / 1000.0);
        assertThat(w.p999Ms()).isEqualTo(expected.getValueAtPercentile(99.9) / 1000.0);
        assertThat(w.maxMs()).isEqualTo(expected.getMaxValue() / 1000.0);
    }

    @Test
    void concurrentRecordersLoseNothing() throws InterruptedException {
        TrafficSignals r = signals.route("hot");
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    r.begin();
                    r.record(1_000_000, 200, null, 1);
                }
            });
            threads[t].start();
        }
        for (int i = 0; i < 5; i++) {
            signals.tick();
        }
        for (Thread t : threads) {
            t.join();
        }
        signals.tick();
        TrafficSnapshot s = r.snapshot();
        assertThat(s.totalRequests()).isEqualTo(200_000);
        assertThat(s.last10s().requests()).isEqualTo(200_000);
        assertThat(s.inFlight()).isZero();
    }

    @Test
    void snapshotIsAPlainTree() {
        request(signals.route("a"), 3, 200, null);
        signals.tick();
        Map<String, Object> tree = signals.snapshot().toMap();
        assertThat(tree).containsKeys("at", "routes", "clusters", "endpoints", "process");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> routes = (List<Map<String, Object>>) tree.get("routes");
        assertThat(routes.get(0)).containsEntry("name", "a").containsKey("10s");
        String json = new io.vertx.core.json.JsonObject(tree).encode();
        assertThat(new io.vertx.core.json.JsonObject(json).getJsonArray("routes").getJsonObject(0)
                .getJsonObject("1s").getInteger("requests")).isEqualTo(1);
    }
}
