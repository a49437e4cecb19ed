package io.sidecar.predictor.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.predictor.ManualClock;
import io.sidecar.predictor.forecast.ForecasterConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * A series replayed through a fresh detector on virtual time, one point per step from {@code startEpochSecond}:
 * the indices it alerted at and the kind of each alert. Every score is checked to lie in [0, 1] on the way.
 */
record DetectorRun(List<Integer> at, List<String> kinds) {
    static DetectorRun of(AnomalyConfig config, long startEpochSecond, int step, int n, IntToDoubleFunction series) {
        ManualClock clock = new ManualClock();
        AnomalyDetector d = new AnomalyDetector("m", config, ForecasterConfig.forStep(step, 1), clock);
        List<Integer> at = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clock.now = Instant.ofEpochSecond(startEpochSecond + (long) i * step);
            AnomalyScore s = d.observe(clock.now, series.applyAsDouble(i));
            assertThat(s.score()).isBetween(0.0, 1.0);
            int index = i;
            s.alert().ifPresent(a -> {
                at.add(index);
                kinds.add(a.kind());
            });
        }
        return new DetectorRun(at, kinds);
    }

    long count(String kind) {
        return kinds.stream().filter(kind::equals).count();
    }
}
