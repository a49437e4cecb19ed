package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadDeadlineTest {
  private static final long TIMEOUT = 1_000;
  private final VirtualTimer timer = new VirtualTimer();
  private final List<String> expiries = new ArrayList<>();
  private final RequestHeadDeadline deadline = new RequestHeadDeadline(() -> timer.now, timer, TIMEOUT,
      how -> expiries.add(timer.now + " " + how));

  @Test
  void aConnectionThatSendsNothingIsClosedQuietlyATimeoutAfterTheAccept() {
    deadline.accepted();
    timer.advanceTo(TIMEOUT - 1);
    assertThat(expiries).isEmpty();
    timer.advanceTo(TIMEOUT);
    assertThat(expiries).containsExactly(TIMEOUT + " CLOSE_QUIETLY");
  }

  @Test
  void theFirstHeadIsTimedFromTheAcceptNotFromItsFirstOrLatestByte() {
    deadline.accepted();
    for (long t = 100; t < TIMEOUT; t += 100) { // a byte every 100 ns
      timer.advanceTo(t);
      deadline.byteRead();
      deadline.headStarted();
    }
    timer.advanceTo(TIMEOUT);
    assertThat(expiries).containsExactly(TIMEOUT + " REQUEST_TIMEOUT");
  }

  @Test
  void aHeadReadInTimeEndsTheLimitAndTheConnectionMayThenRestForAnyTime() {
    deadline.accepted();
    timer.advanceTo(900);
    deadline.byteRead();
    deadline.headRead();
    timer.advanceTo(100 * TIMEOUT);
    assertThat(expiries).isEmpty();
  }

  @Test
  void aLaterHeadIsTimedFromWhenItStartedAndOnlyOnce() {
    deadline.accepted();
    deadline.byteRead();
    deadline.headRead();
    timer.advanceTo(5_000);
    deadline.headStarted();
    timer.advanceTo(5_500);
    deadline.headStarted(); // more of the same head: the clock does not restart
    timer.advanceTo(5_999);
    assertThat(expiries).isEmpty();
    timer.advanceTo(6_000);
    assertThat(expiries).containsExactly("6000 REQUEST_TIMEOUT");
  }

  @Test
  void eachHeadHasItsOwnLimit() {
    deadline.accepted();
    for (long start = 0; start < 10 * TIMEOUT; start += 600) { // a head every 600 ns, each taking 500
      timer.advanceTo(start);
      deadline.headStarted();
      timer.advanceTo(start + 500);
      deadline.headRead();
    }
    timer.advanceTo(20 * TIMEOUT);
    assertThat(expiries).isEmpty();
  }

  @Test
  void afterStopNothingExpires() {
    deadline.accepted();
    deadline.stop();
    deadline.headStarted();
    timer.advanceTo(10 * TIMEOUT);
    assertThat(expiries).isEmpty();
    assertThat(timer.pending()).isZero();
  }
}
