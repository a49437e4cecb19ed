package io.sidecar.predictor.signals;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadHintTest {
    @Test
    void roundTrip() {
        LoadHint h = new LoadHint(3, 12.34);
        assertThat(h.encode()).isEqualTo("rif=3;p50=12.3");
        assertThat(LoadHint.parse(h.encode())).contains(new LoadHint(3, 12.3));
        assertThat(new LoadHint(0, Double.NaN).encode()).isEqualTo("rif=0");
    }

    @Test
    void parsesTolerantly() {
        assertThat(LoadHint.parse(" RIF = 7 , p50=4ms; extra=1")).contains(new LoadHint(7, 4));
        assertThat(LoadHint.parse("p50=9")).contains(new LoadHint(-1, 9));
        assertThat(LoadHint.parse("rif=x;p50=2")).contains(new LoadHint(-1, 2));
        assertThat(LoadHint.parse("rif=-4")).isEmpty();
        assertThat(LoadHint.parse("garbage")).isEmpty();
        assertThat(LoadHint.parse("")).isEmpty();
        assertThat(LoadHint.parse(null)).isEmpty();
    }
}
