package io.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathGlobTest {
  @Test
  void literalPrefixAndWildcards() {
    assertThat(new PathGlob("/a/b").matches("/a/b")).isTrue();
    assertThat(new PathGlob("/a/b").matches("/a/bc")).isFalse();
    assertThat(new PathGlob("/api/**").matches("/api/x/y")).isTrue();
    assertThat(new PathGlob("/api/**").matches("/apix")).isFalse();
    assertThat(new PathGlob("/api/*/items").matches("/api/42/items")).isTrue();
    assertThat(new PathGlob("/api/*/items").matches("/api/4/2/items")).isFalse();
    assertThat(new PathGlob("/api/*").matches("/api/a/b")).isFalse();
    assertThat(new PathGlob("/**/health").matches("/x/y/health")).isTrue();
    assertThat(new PathGlob("/v?/x").matches("/v1/x")).isTrue();
    assertThat(new PathGlob("/v?/x").matches("/v//x")).isFalse();
    assertThat(new PathGlob("/*.json").matches("/a.json")).isTrue();
    assertThat(new PathGlob("/*.json").matches("/a.jso")).isFalse();
    assertThat(new PathGlob("/a/*").matches(null)).isFalse();
  }
}
