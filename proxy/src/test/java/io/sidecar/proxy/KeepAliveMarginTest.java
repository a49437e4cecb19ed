package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.proxy.http1.KeepAliveField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeepAliveMarginTest {
  /** The String form Vert.x's decoder gives (the parameter cases are in ResponseHeadParserTest). */
  @Test
  void readsTheTimeoutOfAStringValue() {
    assertThat(KeepAliveField.timeoutSeconds("max=100, Timeout = 19")).isEqualTo(19);
    assertThat(KeepAliveField.timeoutSeconds("max=100")).isEqualTo(-1);
  }

  /** A second less, and no digit 9, which Vert.x 5.0.7 does not read as a digit. */
  @ParameterizedTest(name = "{0} s -> {1} s")
  @CsvSource({"2, 1", "5, 4", "10, 8", "20, 18", "30, 28", "100, 88", "300, 288", "61, 60"})
  void tellsVertxASecondLessWithoutANine(long announced, long told) {
    assertThat(KeepAliveMargin.forVertx(announced)).isEqualTo(told);
  }
}
