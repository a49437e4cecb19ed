package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VaryTest {

  @Test
  void normalisesWhitespaceLinesAndCaseOfCaseInsensitiveFields() {
    HeaderFields resp = HeaderFields.of("Vary", "Accept-Encoding, X-Custom");
    Map<String, String> a = Vary.secondaryKey(resp, HeaderFields.of("Accept-Encoding", "GZIP,  br",
        "X-Custom", "Bob"));
    assertThat(Vary.matches(a, HeaderFields.of("accept-encoding", "gzip", "Accept-Encoding", "br",
        "X-Custom", "Bob"))).isTrue();
    assertThat(Vary.matches(a, HeaderFields.of("Accept-Encoding", "gzip, br", "X-Custom", "bob"))).isFalse();
    assertThat(Vary.matches(a, HeaderFields.of("Accept-Encoding", "br, gzip", "X-Custom", "Bob"))).isFalse();
  }

  @Test
  void absentHeaderOnlyMatchesAbsent() {
    Map<String, String> k = Vary.secondaryKey(HeaderFields.of("Vary", "Accept"), HeaderFields.EMPTY);
    assertThat(Vary.matches(k, HeaderFields.EMPTY)).isTrue();
    assertThat(Vary.matches(k, HeaderFields.of("Accept", ""))).isFalse();
    assertThat(Vary.matches(k, HeaderFields.of("Accept", "text/html"))).isFalse();
  }

  @Test
  void varyStarNeverMatchesAndNoVaryAlwaysMatches() {
    assertThat(Vary.secondaryKey(HeaderFields.of("Vary", "*"), HeaderFields.EMPTY)).isNull();
    assertThat(Vary.matches(null, HeaderFields.EMPTY)).isFalse();
    assertThat(Vary.matches(Vary.secondaryKey(HeaderFields.EMPTY, HeaderFields.EMPTY),
        HeaderFields.of("Accept", "x"))).isTrue();
  }
}
