package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatusCodesTest {

  @Test
  void validCodesAreKept() {
    assertThat(StatusCodes.processedAs(100)).isEqualTo(100);
    assertThat(StatusCodes.processedAs(304)).isEqualTo(304);
    assertThat(StatusCodes.processedAs(599)).isEqualTo(599);
  }

  @Test
  void invalidCodesAreProcessedAsServerErrors() {
    assertThat(StatusCodes.isValid(999)).isFalse();
    assertThat(StatusCodes.processedAs(999)).isEqualTo(500);
    assertThat(StatusCodes.processedAs(600)).isEqualTo(500);
    assertThat(StatusCodes.processedAs(99)).isEqualTo(500);
  }
}
