package io.sidecar.predictor.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.signals.MinuteRollup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class InMemoryHistoryStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static MinuteRollup rollup(String name, int minute) {
        return new MinuteRollup("route", name, T0.plusSeconds(60L * minute), 60, 1, 0, 0, 5, 9, 1, 2, 0, Double.NaN);
    }

    @Test
    void boundedNewestFirstAndRangeQueries() {
        InMemoryHistoryStore s = new InMemoryHistoryStore(5, Duration.ofDays(1),
                Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC));
        for (int m = 0; m < 8; m++) {
            s.appendRollup(rollup(m % 2 == 0 ? "a" : "b", m));
        }
        assertThat(s.dropped()).isEqualTo(3);
        assertThat(s.rollups("route", "a", T0, T0.plusSeconds(3600)).toCompletableFuture().join())
                .extracting(MinuteRollup::minute).containsExactly(T0.plusSeconds(240), T0.plusSeconds(360));
        s.appendAlert(new Alert("m", T0, 0.95, "warning", "spike", "one", 1, 0));
        s.appendAlert(new Alert("m", T0.plusSeconds(60), 0.99, "critical", "spike", "two", 1, 0));
        assertThat(s.recentAlerts(1).toCompletableFuture().join()).extracting(Alert::explanation)
                .containsExactly("two");
    }

    @Test
    void retentionDropsOldRows() {
        InMemoryHistoryStore s = new InMemoryHistoryStore(100, Duration.ofMinutes(10),
                Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC));
        s.appendRollup(rollup("a", 0));
        s.appendRollup(rollup("a", 55));
        assertThat(s.rollups("route", "a", T0, T0.plusSeconds(7200)).toCompletableFuture().join()).hasSize(1);
    }
}
