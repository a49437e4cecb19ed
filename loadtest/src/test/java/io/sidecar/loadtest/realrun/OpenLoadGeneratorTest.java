package io.sidecar.loadtest.realrun;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.loadtest.TestUpstreams;
import io.sidecar.loadtest.UpstreamSpec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Through real loopback sockets to {@link TestUpstreams}; timing assertions are lower bounds only. */
class OpenLoadGeneratorTest {

  @Test
  void recordsEveryRequestFromItsIntendedTimeAndTimeoutsAsTheTimeout() throws Exception {
    try (TestUpstreams upstreams = TestUpstreams.start(List.of(
        new UpstreamSpec("fast", 0, Duration.ofMillis(20)), new UpstreamSpec("stuck", 0, Duration.ofMillis(3000))))) {
      Duration timeout = Duration.ofMillis(500);

      LoadSummary fast = generator(upstreams.ports().get(0), timeout).summary();
      assertThat(fast.requests()).isBetween(100L, 300L);  // Poisson(200) within 7 sd
      assertThat(fast.failed()).isZero();
      assertThat(fast.p50Ms()).isGreaterThanOrEqualTo(20);

      LoadSummary stuck = generator(upstreams.ports().get(1), timeout).summary();
      assertThat(stuck.successPercent()).isZero();
      assertThat(stuck.failureKinds()).containsOnlyKeys("timeout");
      assertThat(stuck.p50Ms()).isCloseTo(500, org.assertj.core.api.Assertions.within(1.0));
      assertThat(stuck.requests()).isEqualTo(stuck.failed());
    }
  }

  /** The JDK sender: this module's Maven class path pins netty 4.1, on which the Vert.x sender cannot run. */
  private static RunRecorder generator(int port, Duration timeout) throws InterruptedException {
    try (RequestSender sender = new JdkHttpSender(URI.create("http://127.0.0.1:" + port + "/1k"), timeout)) {
      return new OpenLoadGenerator(sender, 200, timeout)
          .run(System.nanoTime(), Duration.ofSeconds(1), Duration.ofSeconds(1), new SplittableRandom(7));
    }
  }
}
