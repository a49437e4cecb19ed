package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobPatternTest {

  @Test
  void matchesStarsQuestionMarksAndClasses() {
    GlobPattern g = GlobPattern.compile("/a/*/b?.[jp]ng");
    assertThat(g.matches("/a/x/y/b1.png")).isTrue();
    assertThat(g.matches("/a/x/b1.jng")).isTrue();
    assertThat(g.matches("/a/x/b12.png")).isFalse();
    assertThat(GlobPattern.compile("/v[0-9]/[!x]*").matches("/v2/y")).isTrue();
    assertThat(GlobPattern.compile("/v[0-9]/[!x]*").matches("/v2/x")).isFalse();
    assertThat(GlobPattern.compile("/lit\\*").matches("/lit*")).isTrue();
    assertThat(GlobPattern.compile("/lit\\*").matches("/literal")).isFalse();
    assertThat(GlobPattern.compile("/q.(x)+$").matches("/q.(x)+$")).isTrue();
  }

  @Test
  void rejectsInvalidPatternsWithPosition() {
    assertThatThrownBy(() -> GlobPattern.compile("/a/[b")).hasMessageContaining("unclosed '['");
    assertThatThrownBy(() -> GlobPattern.compile("/a/b]")).hasMessageContaining("unmatched ']'");
    assertThatThrownBy(() -> GlobPattern.compile("/a/[]")).hasMessageContaining("empty character class");
    assertThatThrownBy(() -> GlobPattern.compile("/[z-a]")).hasMessageContaining("reversed range");
    assertThatThrownBy(() -> GlobPattern.compile("/a\\")).hasMessageContaining("dangling escape");
    assertThatThrownBy(() -> GlobPattern.compile("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> GlobPattern.compile("/a\u0001")).hasMessageContaining("control character");
  }
}
