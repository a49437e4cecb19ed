package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptiveTtlTest {

  private final AdaptiveTtl.Settings settings = new AdaptiveTtl.Settings(1_000, 3_600_000, 0.1, 5, 1.0);

  @Test
  void needsMinimumSamples() {
    AdaptiveTtl a = new AdaptiveTtl(settings);
    for (int i = 0; i < 4; i++) {
      a.observe("p", false, 10_000);
    }
    assertThat(a.ttlMillis("p")).isEqualTo(-1);
    a.observe("p", false, 10_000);
    assertThat(a.ttlMillis("p")).isPositive();
    assertThat(a.ttlMillis("other")).isEqualTo(-1);
  }

  @Test
  void followsChoGarciaMolinaEstimate() {
    AdaptiveTtl a = new AdaptiveTtl(settings);
    // 10 checks at 60 s, 5 saw a change: lambda = -ln((10 - 5 + 0.5) / 10.5) / 60 s
    for (int i = 0; i < 10; i++) {
      a.observe("p", i % 2 == 0, 60_000);
    }
    double lambda = -Math.log(5.5 / 10.5) / 60_000;
    long expected = (long) (-Math.log(0.9) / lambda);
    assertThat(a.ttlMillis("p")).isEqualTo(expected);
  }

  @Test
  void unchangedContentGrowsToTheUpperBoundAndChangingContentShrinks() {
    AdaptiveTtl a = new AdaptiveTtl(settings);
    for (int i = 0; i < 10; i++) {
      a.observe("stable", false, 60_000);
      a.observe("busy", true, 60_000);
    }
    assertThat(a.ttlMillis("stable")).isEqualTo(3_600_000);
    assertThat(a.ttlMillis("busy")).isLessThan(60_000).isGreaterThanOrEqualTo(1_000);
  }

  @Test
  void decayLetsTheEstimateFollowChange() {
    AdaptiveTtl a = new AdaptiveTtl(new AdaptiveTtl.Settings(1_000, 3_600_000, 0.1, 5, 0.8));
    for (int i = 0; i < 30; i++) {
      a.observe("p", false, 60_000);
    }
    long calm = a.ttlMillis("p");
    for (int i = 0; i < 10; i++) {
      a.observe("p", true, 60_000);
    }
    assertThat(a.ttlMillis("p")).isLessThan(calm / 10);
  }

  @Test
  void prefixOfUrl() {
    assertThat(AdaptiveTtl.prefixOf("http://h/a/b/c", 1)).isEqualTo("http://h/a/");
    assertThat(AdaptiveTtl.prefixOf("http://h/a/b/c", 2)).isEqualTo("http://h/a/b/");
    assertThat(AdaptiveTtl.prefixOf("http://h/a", 1)).isEqualTo("http://h/");
    assertThat(AdaptiveTtl.prefixOf("http://h/a?x=/y", 1)).isEqualTo("http://h/");
    assertThat(AdaptiveTtl.prefixOf("http://h/a/b", 0)).isEqualTo("http://h/");
  }
}
