package io.sidecar.balancer.limit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GradientConcurrencyLimitTest {

    private static final long MS = 1_000_000L;

    private static AdaptiveConcurrencyConfig config(int minRttRequests) {
        return new AdaptiveConcurrencyConfig(true, Duration.ofMillis(100), 50, Duration.ofSeconds(60),
                minRttRequests, 25, 3, 1000);
    }

    @Test
    void gradientStepMatchesEnvoysFormula() {
        GradientConcurrencyLimit l = new GradientConcurrencyLimit(config(5), 0);
        // minRTT 10, buffer 25 % → 12.5; sample 20 → gradient 0.625; 100 · 0.625 = 62.5; + sqrt(62.5) = 70.4 → 70
        assertThat(l.newLimit(100, 10 * MS, 20 * MS)).isEqualTo(70);
        assertThat(l.lastGradient()).isEqualTo(0.625);
        // gradient clamps at 2.0: 100 · 2 = 200 + sqrt(200) = 214.1 → 214
        assertThat(l.newLimit(100, 10 * MS, 1 * MS)).isEqualTo(214);
        // and at 0.5: 100 · 0.5 = 50 + 7.07 → 57
        assertThat(l.newLimit(100, 10 * MS, 1000 * MS)).isEqualTo(57);
        // bounded by min and max concurrency
        assertThat(l.newLimit(3, 10 * MS, 1000 * MS)).isEqualTo(3);
        assertThat(l.newLimit(900, 10 * MS, 1 * MS)).isEqualTo(1000);
    }

    @Test
    void measuresMinRttPinnedToMinConcurrencyThenAdapts() {
        GradientConcurrencyLimit l = new GradientConcurrencyLimit(config(5), 0);
        assertThat(l.measuringMinRtt()).isTrue();
        assertThat(l.limit(0)).isEqualTo(3);
        long t = 0;
        for (int i = 0; i < 5; i++) {
            l.onSample(t, 10 * MS);
        }
        assertThat(l.measuringMinRtt()).isFalse();
        assertThat(l.minRttNanos()).isEqualTo(10.0 * MS);
        // fast samples grow the limit window by window
        int previous = l.limit(t);
        for (int w = 1; w <= 5; w++) {
            t += 100 * MS;
            l.onSample(t - MS, 10 * MS);
            int now = l.limit(t);
            assertThat(now).isGreaterThan(previous);
            previous = now;
        }
        // latency far above minRTT shrinks it
        t += 100 * MS;
        l.onSample(t - MS, 200 * MS);
        assertThat(l.limit(t)).isLessThan(previous);
    }

    @Test
    void remeasuresMinRttAfterTheInterval() {
        GradientConcurrencyLimit l = new GradientConcurrencyLimit(config(2), 0);
        l.onSample(0, 10 * MS);
        l.onSample(0, 10 * MS);
        assertThat(l.measuringMinRtt()).isFalse();
        assertThat(l.limit(60_000 * MS)).isEqualTo(3);
        assertThat(l.measuringMinRtt()).isTrue();
    }

    @Test
    void badConfigNamesTheField() {
        assertThatThrownBy(() -> new AdaptiveConcurrencyConfig(true, Duration.ZERO, 50, Duration.ofSeconds(60), 50,
                25, 3, 1000)).hasMessageContaining("adaptiveConcurrency.sampleWindow");
        assertThatThrownBy(() -> new AdaptiveConcurrencyConfig(true, Duration.ofMillis(100), 50,
                Duration.ofSeconds(60), 50, 25, 10, 5)).hasMessageContaining("adaptiveConcurrency.maxConcurrency");
    }
}
