package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeepAliveMarginTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "timeout=5, max=100 | 5",
      "max=100, timeout=20 | 20",
      "Timeout = 9 | 9",
      "max=3 | -1",
      "timeout=soon | -1",
      "timeout= | -1",
      "timeout=123456 | -1",
  })
  void readsTheTimeoutParameter(String value, long seconds) {
    assertThat(KeepAliveMargin.timeoutSeconds(value)).isEqualTo(seconds);
  }

  /** A second less, and no digit 9, which Vert.x 5.0.7 does not read as a digit. */
  @ParameterizedTest(name = "{0} s -> {1} s")
  @CsvSource({"2, 1", "5, 4", "10, 8", "20, 18", "30, 28", "100, 88", "300, 288", "61, 60"})
  void tellsVertxASecondLessWithoutANine(long announced, long told) {
    assertThat(KeepAliveMargin.forVertx(announced)).isEqualTo(told);
  }
}
