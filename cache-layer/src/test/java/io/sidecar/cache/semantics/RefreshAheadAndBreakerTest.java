package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefreshAheadAndBreakerTest {

  @Test
  void refreshAheadOnlyForHotEntriesNearExpiry() {
    RefreshAhead r = new RefreshAhead(true, 10, 0.1, 1000);
    assertThat(r.shouldRefresh(10, 100_000, 95_000)).isTrue();
    assertThat(r.shouldRefresh(9, 100_000, 95_000)).isFalse(); // not hot
    assertThat(r.shouldRefresh(10, 100_000, 80_000)).isFalse(); // not near expiry
    assertThat(r.shouldRefresh(10, 100_000, 100_000)).isFalse(); // already stale
    assertThat(r.shouldRefresh(10, 500, 480)).isFalse(); // too short-lived
    assertThat(new RefreshAhead(false, 10, 0.1, 1000).shouldRefresh(100, 100_000, 95_000)).isFalse();
  }

  @Test
  void breakerOpensAfterConsecutiveFailuresAndProbesAfterOpenTime() {
    AtomicLong now = new AtomicLong();
    ConsecutiveFailureBreaker b = new ConsecutiveFailureBreaker(3, 1_000, now::get);
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    assertThat(b.state()).isEqualTo(ConsecutiveFailureBreaker.State.CLOSED);
    b.onFailure();
    assertThat(b.state()).isEqualTo(ConsecutiveFailureBreaker.State.OPEN);
    assertThat(b.tryAcquire()).isFalse();
    now.addAndGet(1_000);
    assertThat(b.state()).isEqualTo(ConsecutiveFailureBreaker.State.HALF_OPEN);
    assertThat(b.tryAcquire()).isTrue();
    assertThat(b.tryAcquire()).isFalse(); // one probe at a time
    b.onFailure();
    assertThat(b.state()).isEqualTo(ConsecutiveFailureBreaker.State.OPEN);
    now.addAndGet(1_000);
    assertThat(b.tryAcquire()).isTrue();
    b.onSuccess();
    assertThat(b.state()).isEqualTo(ConsecutiveFailureBreaker.State.CLOSED);
    assertThat(b.tryAcquire()).isTrue();
  }
}
