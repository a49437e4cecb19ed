package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LazyDeadlineTest {
  private final VirtualTimer timer = new VirtualTimer();
  private final List<Long> expiries = new ArrayList<>();
  private final LazyDeadline deadline = new LazyDeadline(() -> timer.now, timer, () -> expiries.add(timer.now));

  @Test
  void expiresAtTheDeadlineAndNotBefore() {
    deadline.arm(0, 100);
    timer.advanceTo(99);
    assertThat(expiries).isEmpty();
    timer.advanceTo(100);
    assertThat(expiries).containsExactly(100L);
    assertThat(deadline.isArmed()).isFalse();
  }

  @Test
  void rearmingLaterSchedulesNothingUntilThePendingTaskFiresAndThenFollowsTheLatestDeadline() {
    for (long t = 0; t < 1_000; t += 10) { // a request every 10 ns taking 8, each with a 105 ns timeout
      timer.advanceTo(t);
      deadline.arm(t, 105);
      timer.advanceTo(t + 8); // the pending task fires in here, mid-request, and moves to that request's deadline
      deadline.disarm();
    }
    assertThat(expiries).isEmpty();
    timer.advanceTo(1_000);
    deadline.arm(1_000, 105); // the last one is slow
    timer.advanceTo(5_000);
    assertThat(expiries).containsExactly(1_105L);
    // one task per timeout period rather than one per request
    assertThat(timer.scheduled).isLessThanOrEqualTo(12);
  }

  @Test
  void anEarlierDeadlineThanThePendingTaskReplacesIt() {
    deadline.arm(0, 1_000);
    deadline.arm(10, 50);
    assertThat(timer.pending()).isEqualTo(1);
    timer.advanceTo(2_000);
    assertThat(expiries).containsExactly(60L);
  }

  @Test
  void aDisarmedDeadlineNeverExpiresAndLeavesNoTaskBehindOnceItsTaskRan() {
    deadline.arm(0, 100);
    deadline.disarm();
    timer.advanceTo(1_000);
    assertThat(expiries).isEmpty();
    assertThat(timer.pending()).isZero();
    deadline.arm(1_000, 100); // and it arms again afterwards
    timer.advanceTo(1_100);
    assertThat(expiries).containsExactly(1_100L);
  }

  @Test
  void stopCancelsThePendingTaskAndIgnoresLaterArms() {
    deadline.arm(0, 100);
    deadline.stop();
    assertThat(timer.pending()).isZero();
    deadline.arm(200, 100);
    timer.advanceTo(1_000);
    assertThat(expiries).isEmpty();
  }

  @Test
  void anExpiryMayArmAgainForTheNextPeriod() {
    LazyDeadline[] self = new LazyDeadline[1];
    self[0] = new LazyDeadline(() -> timer.now, timer, () -> {
      expiries.add(timer.now);
      self[0].arm(timer.now, 100);
    });
    self[0].arm(0, 100);
    timer.advanceTo(350);
    assertThat(expiries).containsExactly(100L, 200L, 300L);
  }

  @Test
  void timesAreComparedByDifferenceSoTheClockMayWrapAround() {
    timer.now = Long.MAX_VALUE - 50;
    deadline.arm(timer.now, 100); // the deadline wraps to a negative number
    timer.advanceTo(Long.MAX_VALUE);
    assertThat(expiries).isEmpty();
    timer.advanceTo(Long.MAX_VALUE + 50); // wrapped: 100 ns after arming
    assertThat(expiries).hasSize(1);
  }
}
