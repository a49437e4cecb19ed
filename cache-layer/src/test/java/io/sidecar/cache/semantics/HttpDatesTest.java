package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpDatesTest {

  private static final long AUG_18_2050 = HttpDates.parse("Thu, 18 Aug 2050 02:01:18 GMT");

  @Test
  void imfFixdateIsMatchedCaseInsensitively() {
    // RFC 9111 §4.2: a cache recipient SHOULD match HTTP-date case-insensitively
    assertThat(HttpDates.parse("THU, 18 Aug 2050 02:01:18 GMT")).isEqualTo(AUG_18_2050);
    assertThat(HttpDates.parse("Thu, 18 AUG 2050 02:01:18 GMT")).isEqualTo(AUG_18_2050);
    assertThat(HttpDates.parse("Thu, 18 aug 2050 02:01:18 gMT")).isEqualTo(AUG_18_2050);
  }

  @Test
  void asctimeIsMatchedCaseInsensitively() {
    assertThat(HttpDates.parse("Thu AUG 18 02:01:18 2050")).isEqualTo(AUG_18_2050);
  }

  @Test
  void invalidDatesStayInvalid() {
    assertThat(HttpDates.parse("Thu, 18 Aug 2050 02:01:18 UTC")).isNull();
    assertThat(HttpDates.parse("Thu, 18 Aug 50 02:01:18 GMT")).isNull();
    assertThat(HttpDates.parse("Thu, 18 Aug 2050 2:01:18 GMT")).isNull();
    assertThat(HttpDates.parse("0")).isNull();
  }
}
