package io.sidecar.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {

  @Test
  void defaults() {
    CacheConfig c = CacheConfig.builder().build();
    assertThat(c.l1MaxBytes()).isEqualTo(CacheConfig.DEFAULT_L1_MAX_BYTES);
    assertThat(c.l2RedisUri()).isNull();
    assertThat(c.targetedFields()).containsExactly("CDN-Cache-Control", "Surrogate-Control");
    CachePolicy p = CachePolicy.defaults("r");
    assertThat(p.enabled()).isTrue();
    assertThat(p.maxObjectSize()).isEqualTo(CachePolicy.DEFAULT_MAX_OBJECT_SIZE);
    assertThat(p.defaultTtl()).isNull();
    assertThat(p.toBuilder().build()).isEqualTo(p);
  }

  @Test
  void rejectsInvalidValuesNamingTheField() {
    assertThatThrownBy(() -> CacheConfig.builder().l1MaxBytes(0).build()).hasMessageContaining("l1.max_size");
    assertThatThrownBy(() -> CacheConfig.builder().l2Timeout(Duration.ZERO).build())
        .hasMessageContaining("l2.timeout");
    assertThatThrownBy(() -> CacheConfig.builder().refreshAheadFraction(1.5).build())
        .hasMessageContaining("refresh_ahead.fraction");
    assertThatThrownBy(() -> CachePolicy.builder("r").maxObjectSize(0).build())
        .hasMessageContaining("max_object_size");
    assertThatThrownBy(() -> CachePolicy.builder("r").defaultTtl(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("default_ttl");
    assertThatThrownBy(() -> CachePolicy.builder("r").ignoredQueryParams(Set.of("a")).keptQueryParams(Set.of("b"))
        .build()).hasMessageContaining("query");
    assertThatThrownBy(() -> CachePolicy.builder("r").adaptiveMin(Duration.ofSeconds(10))
        .adaptiveMax(Duration.ofSeconds(1)).build()).hasMessageContaining("adaptive_ttl");
    assertThatThrownBy(() -> CachePolicy.builder(" ").build()).hasMessageContaining("route");
  }
}
