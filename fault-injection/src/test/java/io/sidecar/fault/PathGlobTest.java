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

  @Test
  void backtracking() {
    assertThat(new PathGlob("/a/*b").matches("/a/bxb")).isTrue();
    assertThat(new PathGlob("/a/*b").matches("/a/bx")).isFalse();
    assertThat(new PathGlob("/a/*/c/*.json").matches("/a/b/c/d.json")).isTrue();
    assertThat(new PathGlob("/a/*/c/*.json").matches("/a/b/c/d.jsonx")).isFalse();
    assertThat(new PathGlob("/**/x/*.json").matches("/q/r/x/a.json")).isTrue();
    assertThat(new PathGlob("/**/x/*.json").matches("/q/r/x/y/a.json")).isFalse();
    assertThat(new PathGlob("/catalog/*/v1/**").matches("/catalog/items/42")).isFalse();
    assertThat(new PathGlob("/catalog/*/v1/**").matches("/catalog/items/v1/42")).isTrue();
    assertThat(new PathGlob("/*/*").matches("/a/b")).isTrue();
    assertThat(new PathGlob("/*/*").matches("/a")).isFalse();
    assertThat(new PathGlob("/x?*").matches("/xy")).isTrue();
    assertThat(new PathGlob("/x?*").matches("/x")).isFalse();
  }
}
