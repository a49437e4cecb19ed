package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionLimitTest {
  @Test
  void autoIsThreeQuartersOfTheFileDescriptorLimitAndANumberIsTakenAsIs() {
    assertThat(ConnectionLimit.resolve(0, 1024)).isEqualTo(768); // Debian's nginx worker_connections
    assertThat(ConnectionLimit.resolve(0, 1_048_576)).isEqualTo(786_432);
    assertThat(ConnectionLimit.resolve(0, 40)).as("never below 64").isEqualTo(64);
    assertThat(ConnectionLimit.resolve(0, -1)).as("unknown: none").isEqualTo(Integer.MAX_VALUE);
    assertThat(ConnectionLimit.resolve(5_000, 1024)).isEqualTo(5_000);
  }

  @Test
  void oneOverTheLimitIsRefusedUntilAConnectionCloses() {
    ConnectionLimit limit = new ConnectionLimit();
    assertThat(limit.tryOpen()).as("no limit until set").isTrue();
    limit.setOnce(2);
    limit.setOnce(100); // a reload's listener does not change it
    assertThat(limit.tryOpen()).isTrue();
    assertThat(limit.tryOpen()).isFalse(); // the one opened before the limit counts
    limit.closed();
    assertThat(limit.tryOpen()).isTrue();
    assertThat(limit.tryOpen()).isFalse();
  }
}
