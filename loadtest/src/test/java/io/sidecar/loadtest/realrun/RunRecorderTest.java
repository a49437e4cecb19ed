package io.sidecar.loadtest.realrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunRecorderTest {
  private static final long MS = 1_000_000;
  private static final long S = 1_000 * MS;

  @Test
  void countsTheSimulatorsWay() {
    RunRecorder r = new RunRecorder(Duration.ofSeconds(1), Duration.ofSeconds(20), Duration.ofSeconds(10));
    r.response(1 * S, 20 * MS, 200);    // success
    r.response(2 * S, 1500 * MS, 200);  // a 2xx after the timeout: a timeout, recorded as 1000 ms
    r.response(12 * S, 5 * MS, 503);    // a fast failure keeps its latency
    r.timedOut(13 * S);                 // 1000 ms
    r.error(14 * S, 3 * MS, "ConnectException");

    LoadSummary s = r.summary();
    assertThat(s.requests()).isEqualTo(5);
    assertThat(s.failed()).isEqualTo(4);
    assertThat(s.successPercent()).isEqualTo(20.0);
    assertThat(s.failureKinds()).isEqualTo(Map.of("timeout", 2L, "status 503", 1L, "ConnectException", 1L));
    // sorted: 3, 5, 20, 1000, 1000 ms; HdrHistogram answers within 0.1 % (3 significant digits)
    assertThat(s.p50Ms()).isCloseTo(20, within(0.05));
    assertThat(s.p90Ms()).isCloseTo(1000, within(1.0));
    assertThat(s.p999Ms()).isCloseTo(1000, within(1.0));
    // window 0 (0-10 s): 1 of 2; window 1 (10-20 s): 0 of 3
    assertThat(s.windowSuccessPercent()).isEqualTo(List.of(50.0, 0.0));
    assertThat(s.windowSeconds()).isEqualTo(10.0);
  }

  @Test
  void achievedRateAndLatenessComeFromTheSends() {
    RunRecorder r = new RunRecorder(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));
    for (int i = 0; i <= 100; i++) r.sent(i * 10 * MS, i == 50 ? 40 * MS : 0);  // 101 sends over 1 s
    LoadSummary s = r.summary();
    assertThat(s.achievedRate()).isCloseTo(100.0, within(1e-6));
    assertThat(s.sendLagMaxMs()).isCloseTo(40, within(0.05));
    assertThat(s.sendLagP99Ms()).isEqualTo(0.0);
  }
}
