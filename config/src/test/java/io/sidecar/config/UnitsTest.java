package io.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void durations() {
    assertThat(Units.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Units.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Units.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> Units.parseDuration("10")).hasMessageContaining("not a duration");
    assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Units.formatDuration(Duration.ofMinutes(5))).isEqualTo("5m");
  }

  @Test
  void sizes() {
    assertThat(Units.parseSize("512KiB")).isEqualTo(512 * 1024);
    assertThat(Units.parseSize("64MiB")).isEqualTo(64L * 1024 * 1024);
    assertThat(Units.parseSize("1GB")).isEqualTo(1_000_000_000L);
    assertThat(Units.parseSize("100")).isEqualTo(100);
    assertThatThrownBy(() -> Units.parseSize("lots")).hasMessageContaining("not a size");
  }
}
