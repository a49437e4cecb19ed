package io.sidecar.predictor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumberFormatTest {
    @Test
    void numbers() {
        assertThat(ReplayCli.number(42)).isEqualTo("42");
        assertThat(ReplayCli.number(-1.5)).isEqualTo("-1.5");
        assertThat(ReplayCli.number(0.1234567)).isEqualTo("0.123457");
        assertThat(ReplayCli.number(-0.0000001)).isEqualTo("-1.0E-7");
        assertThat(ReplayCli.number(1e13)).isEqualTo("1.0E13");
        assertThat(ReplayCli.number(123456.000001)).isEqualTo("123456.000001");
        assertThat(ReplayCli.number(2.0000004)).isEqualTo("2");
        assertThat(ReplayCli.number(Double.NaN)).isEmpty();
        assertThat(Double.parseDouble(ReplayCli.number(987654.321))).isEqualTo(987654.321);
    }

    @Test
    void scores() {
        assertThat(ReplayCli.score(0)).isEqualTo("0.000000");
        assertThat(ReplayCli.score(1)).isEqualTo("1.000000");
        assertThat(ReplayCli.score(0.95)).isEqualTo("0.950000");
        assertThat(ReplayCli.score(0.1234564)).isEqualTo("0.123456");
    }
}
