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

  /** The pool's idle timeout, cut to end before the upstream's own Keep-Alive timeout (a second, or half of it). */
  @ParameterizedTest(name = "pool {0} ms, upstream keep-alive {1} s -> {2} ms")
  @CsvSource({
      "60000, -1, 60000",  // no Keep-Alive field: the pool's own
      "60000, 5, 4000",    // Node's and Apache's default
      "60000, 20, 19000",  // Tomcat's
      "60000, 2, 1000",
      "60000, 1, 500",
      "60000, 0, 0",       // the upstream keeps nothing idle
      "3000, 5, 3000",     // the pool's is shorter already
      "60000, 99999, 60000",
  })
  void idleTimeoutEndsBeforeTheUpstreamsKeepAliveTimeout(long poolMillis, long keepAliveSeconds, long expectedMillis) {
    assertThat(KeepAliveMargin.idleNanos(poolMillis * 1_000_000L, keepAliveSeconds)).isEqualTo(expectedMillis * 1_000_000L);
  }
}
