package io.sidecar.balancer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoadHintTest {

    @Test
    void parsesTheHeader() {
        LoadHint h = LoadHint.parseHeader("rif=3;p50=12");
        assertThat(h.requestsInFlight()).isEqualTo(3);
        assertThat(h.p50Millis()).isEqualTo(12.0);
        assertThat(LoadHint.parseHeader(" P50 = 7.5 , rif=0 ")).isEqualTo(new LoadHint(0, 7.5));
    }

    @Test
    void malformedPartsAreDropped() {
        assertThat(LoadHint.parseHeader(null)).isEqualTo(LoadHint.NONE);
        assertThat(LoadHint.parseHeader("garbage")).isEqualTo(LoadHint.NONE);
        assertThat(LoadHint.parseHeader("rif=x;p50=4")).isEqualTo(new LoadHint(-1, 4.0));
        assertThat(LoadHint.parseHeader("rif=-2;p50=NaN").isEmpty()).isTrue();
        assertThat(LoadHint.parseHeader("rif=99999999999").requestsInFlight()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void roundTrips() {
        assertThat(LoadHint.parseHeader(new LoadHint(5, 12.25).toHeader())).isEqualTo(new LoadHint(5, 12.3));
        assertThat(new LoadHint(2, Double.NaN).toHeader()).isEqualTo("rif=2");
    }
}
