package io.sidecar.balancer.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimitTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aFullBucketLetsTheBurstThroughThenOneRequestPerInterval() {
    RateLimit limit = new RateLimit(10, Duration.ofSeconds(1), 5, 0); // one token every 100 ms, 5 at most
    for (int i = 0; i < 5; i++) {
      RateLimit.Decision d = limit.tryAcquire(0);
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(4 - i);
    }
    RateLimit.Decision refused = limit.tryAcquire(0);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterNanos()).isEqualTo(SECOND / 10);
    assertThat(limit.tryAcquire(SECOND / 10 - 1).allowed()).isFalse();
    assertThat(limit.tryAcquire(SECOND / 10).allowed()).isTrue();
    assertThat(limit.tryAcquire(SECOND / 10).allowed()).isFalse();
  }

  @Test
  void anIdleBucketRefillsToTheBurstAndNoFurther() {
    RateLimit limit = new RateLimit(10, Duration.ofSeconds(1), 5, 0);
    for (int i = 0; i < 5; i++) limit.tryAcquire(0);
    long later = 60 * SECOND;
    int allowed = 0;
    while (limit.tryAcquire(later).allowed()) allowed++;
    assertThat(allowed).isEqualTo(5);
  }

  @Test
  void theLongRunRateIsTheConfiguredOne() {
    RateLimit limit = new RateLimit(100, Duration.ofMinutes(1), 1, 0); // 100 per minute, no burst
    int allowed = 0;
    for (long t = 0; t < 60 * SECOND; t += SECOND / 100) { // offered 100 per second
      if (limit.tryAcquire(t).allowed()) allowed++;
    }
    assertThat(allowed).isEqualTo(100);
  }

  @Test
  void settingsOutsideTheirRangeAreRefused() {
    assertThatThrownBy(() -> new RateLimit(0, Duration.ofSeconds(1), 1, 0)).hasMessageContaining("requests");
    assertThatThrownBy(() -> new RateLimit(1, Duration.ZERO, 1, 0)).hasMessageContaining("per");
    assertThatThrownBy(() -> new RateLimit(1, Duration.ofSeconds(1), 0, 0)).hasMessageContaining("burst");
  }

  @Test
  void threadsRacingForTheLastTokensNeverOverspend() throws Exception {
    RateLimit limit = new RateLimit(1, Duration.ofHours(1), 1000, 0);
    AtomicInteger allowed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int j = 0; j < 1000; j++) {
          if (limit.tryAcquire(0).allowed()) allowed.incrementAndGet();
        }
      });
      threads[i].start();
    }
    start.countDown();
    for (Thread t : threads) t.join();
    assertThat(allowed.get()).isEqualTo(1000);
  }
}
