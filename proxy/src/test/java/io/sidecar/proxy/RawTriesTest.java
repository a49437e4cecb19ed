package io.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.sidecar.balancer.BalancerConfig;
import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.limit.LimitsConfig;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.retry.RetryConfig;
import io.sidecar.balancer.retry.RetryOn;
import io.sidecar.balancer.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retry decisions both byte-level exchanges share, with the times given (no clock). */
class RawTriesTest {
  private static final long MS = 1_000_000L;
  private static final long ROUTE_TIMEOUT = 1_000 * MS;
  private static final long START = 5_000 * MS;

  private static RetryPolicy policy(int attempts, Duration perTry) {
    return new RetryPolicy(RetryConfig.builder().maxRetries(attempts).perTryTimeout(perTry)
        .retryOn(Set.of(RetryOn.FIVE_XX, RetryOn.CONNECT_FAILURE)).replayBufferBytes(100).build());
  }

  private static RawTries tries(RetryPolicy policy, String method, boolean nonIdempotent) {
    return new RawTries(policy, nonIdempotent, method, START, ROUTE_TIMEOUT);
  }

  @Test
  void withoutAPolicyThereIsOneTryWithTheRouteTimeout() {
    RawTries one = tries(null, "GET", false);
    assertThat(one.retrying()).isFalse();
    assertThat(one.replays(10)).isFalse();
    assertThat(one.tryTimeoutNanos(START + 300 * MS)).isEqualTo(ROUTE_TIMEOUT);
    assertThat(one.ownDeadline(ROUTE_TIMEOUT, START)).isFalse();
    assertThat(one.mayRetry(Outcome.status(503), false, START)).isFalse();
    Recorder exchange = new Recorder();
    assertThat(one.waiterFor(exchange, null)).isSameAs(exchange).isSameAs(one.currentWaiter(exchange));
    Recorder other = new Recorder(); // a one-try instance is shared by the route's requests: it keeps no waiter
    assertThat(one.waiterFor(other, null)).isSameAs(other);
    assertThat(one.currentWaiter(exchange)).isSameAs(exchange);
    assertThat(RawTries.oneTry(ROUTE_TIMEOUT).tryTimeoutNanos(START)).isEqualTo(ROUTE_TIMEOUT);
  }

  @Test
  void aTryGetsThePerTryTimeoutOrWhatIsLeftOfTheRoutesAndADeadlineOnlyWhenShorter() {
    RawTries t = tries(policy(2, Duration.ofMillis(100)), "GET", false);
    assertThat(t.tryTimeoutNanos(START)).isEqualTo(100 * MS);
    assertThat(t.ownDeadline(100 * MS, START)).isTrue();
    assertThat(t.tryTimeoutNanos(START + 950 * MS)).isEqualTo(50 * MS); // the route's 50 ms left
    assertThat(t.ownDeadline(50 * MS, START + 950 * MS)).isFalse(); // the route timeout ends it anyway
    RawTries noPerTry = tries(policy(2, Duration.ZERO), "GET", false);
    assertThat(noPerTry.tryTimeoutNanos(START + 400 * MS)).isEqualTo(600 * MS);
    assertThat(noPerTry.ownDeadline(600 * MS, START + 400 * MS)).isFalse();
  }

  @Test
  void retriesStopAtTheAttemptsTheRouteTimeoutOrABodyGone() {
    RawTries t = tries(policy(2, Duration.ZERO), "GET", false);
    assertThat(t.mayRetry(Outcome.status(503), false, START)).isTrue();
    assertThat(t.mayRetry(Outcome.status(404), false, START)).isFalse(); // no matching condition
    assertThat(t.mayRetry(Outcome.status(503), true, START)).isFalse(); // part of a streamed body went out
    assertThat(t.mayRetry(Outcome.status(503), false, START + ROUTE_TIMEOUT)).isFalse(); // no route time left
    t.retryAfter("a", new Random(1));
    assertThat(t.retries()).isEqualTo(1);
    assertThat(t.mayRetry(Outcome.status(503), false, START)).isTrue();
    t.retryAfter("b", new Random(1));
    assertThat(t.mayRetry(Outcome.status(503), false, START)).isFalse(); // both attempts used
  }

  @Test
  void aRetriableAnswerIsHeldUntilTheNextPickDropsItOrARefusalLetsItThrough() {
    ClusterBalancer two = ClusterBalancer.create("c", BalancerConfig.DEFAULTS,
        List.of(Endpoint.of("a:1"), Endpoint.of("b:1")));
    RawTries t = tries(policy(2, Duration.ZERO), "GET", false);
    Steps steps = new Steps();
    t.next(steps, two, START);
    assertThat(steps.log).containsExactly("start"); // the first try
    assertThat(t.hold(200, false, START)).isNull();
    assertThat(t.holding()).isFalse();
    assertThat(t.hold(503, true, START)).isNull(); // a streamed body went out: relayed, not held
    assertThat(t.hold(503, false, START)).isEqualTo(Outcome.status(503));
    assertThat(t.holding()).isTrue();
    t.retryAfter("a:1", new Random(1));
    t.next(steps, two, START); // a retry is picked: the held answer is not the client's
    assertThat(steps.log).containsExactly("start", "dropHeld", "start");
    assertThat(t.holding()).isFalse();

    ClusterBalancer noRetries = ClusterBalancer.create("c", BalancerConfig.builder()
        .limits(new LimitsConfig(1024, 1024, 1024, 0)).build(), List.of(Endpoint.of("a:1"), Endpoint.of("b:1")));
    RawTries refused = tries(policy(2, Duration.ZERO), "GET", false);
    Steps refusedSteps = new Steps();
    refused.next(refusedSteps, noRetries, START);
    assertThat(refused.hold(502, false, START)).isEqualTo(Outcome.status(502));
    refused.retryAfter("a:1", new Random(1));
    refused.next(refusedSteps, noRetries, START); // the balancer refuses the retry: the held answer goes through
    assertThat(refusedSteps.log).containsExactly("start", "relayHeld");
    assertThat(refused.holding()).isFalse();
    assertThat(refused.hold(503, false, START)).isNull(); // and none is held again
    assertThat(tries(null, "GET", false).hold(503, false, START)).isNull();
  }

  @Test
  void aRefusedFirstPickIsTheSidecarsAnswer() {
    ClusterBalancer none = ClusterBalancer.create("c", BalancerConfig.DEFAULTS, List.of());
    Steps steps = new Steps();
    tries(null, "GET", false).next(steps, none, START);
    assertThat(steps.log).containsExactly("fail UH: cluster c: no healthy endpoint");
  }

  /** Records which steps {@link RawTries#next} took. */
  private static final class Steps implements RawTries.Steps {
    final List<String> log = new ArrayList<>();

    @Override
    public void relayHeld() {
      log.add("relayHeld");
    }

    @Override
    public void fail(ResponseFlag flag, String detail) {
      log.add("fail " + flag.code() + ": " + detail);
    }

    @Override
    public void dropHeld() {
      log.add("dropHeld");
    }

    @Override
    public void startTry(io.sidecar.balancer.Pick pick, long tryTimeoutNanos, boolean ownDeadline) {
      log.add("start");
    }
  }

  @Test
  void aFailedTryIsRetriedWithItsOutcomeWhenThePolicyAllows() {
    RawTries t = tries(policy(1, Duration.ZERO), "POST", false);
    assertThat(t.retryAfterFailure(ResponseFlag.UPSTREAM_CONNECT_FAILURE, false, START))
        .isEqualTo(Outcome.failure(FailureKind.CONNECT_FAILURE)); // never sent: any method
    assertThat(t.retryAfterFailure(ResponseFlag.UPSTREAM_CONNECT_FAILURE, false, START + ROUTE_TIMEOUT)).isNull();
    assertThat(t.retryAfterFailure(ResponseFlag.UPSTREAM_RESET, false, START)).isNull(); // not a condition of it
  }

  @Test
  void aNonIdempotentMethodIsRetriedOnlyWhenAllowedOrNeverSent() {
    RawTries post = tries(policy(1, Duration.ZERO), "POST", false);
    assertThat(post.mayRetry(Outcome.status(503), false, START)).isFalse();
    assertThat(post.mayRetry(Outcome.failure(FailureKind.CONNECT_FAILURE), false, START)).isTrue();
    assertThat(tries(policy(1, Duration.ZERO), "POST", true).mayRetry(Outcome.status(503), false, START)).isTrue();
  }

  @Test
  void onlyABodyWithinTheReplayBufferIsReplayed() {
    RawTries t = tries(policy(1, Duration.ZERO), "PUT", false);
    assertThat(t.replays(100)).isTrue();
    assertThat(t.replays(101)).isFalse();
    assertThat(t.replays(0)).isFalse();
    assertThat(t.replays(-1)).isFalse(); // no length: streamed
  }

  @Test
  void theBackoffIsFullyJitteredWithinEnvoysCeilingAndAtLeastOneMillisecond() {
    RawTries t = tries(policy(5, Duration.ZERO), "GET", false); // base 25 ms, max 250 ms
    Random random = new Random(7);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 5; i++) delays.add(t.retryAfter("e" + i, random));
    long[] ceilings = {25, 75, 175, 250, 250};
    for (int i = 0; i < 5; i++) assertThat(delays.get(i)).isBetween(1L, ceilings[i]);
  }

  @Test
  void aConnectionForAnEarlierTryIsNotHandedToTheNextOne() {
    RawTries t = tries(policy(1, Duration.ZERO), "GET", false);
    Recorder exchange = new Recorder();
    RawUpstreamPool.Waiter first = t.waiterFor(exchange, null);
    assertThat(first).isNotSameAs(exchange);
    assertThat(first.cancelled()).isFalse();
    first.failed(ResponseFlag.UPSTREAM_CONNECT_FAILURE, "refused");
    assertThat(exchange.failures).containsExactly("refused");
    RawUpstreamPool.Waiter second = t.waiterFor(exchange, null);
    assertThat(t.currentWaiter(exchange)).isSameAs(second);
    assertThat(first.cancelled()).isTrue();
    first.failed(ResponseFlag.UPSTREAM_TIMEOUT, "late"); // the earlier try's news is not the exchange's
    assertThat(exchange.failures).containsExactly("refused");
    assertThat(second.cancelled()).isFalse();
    exchange.cancelled = true;
    assertThat(second.cancelled()).isTrue(); // the exchange went away
  }

  private static final class Recorder implements RawUpstreamPool.Waiter {
    final List<String> failures = new ArrayList<>();
    boolean cancelled;

    @Override
    public void ready(Channel upstream) {
    }

    @Override
    public void failed(ResponseFlag flag, String detail) {
      failures.add(detail);
    }

    @Override
    public boolean cancelled() {
      return cancelled;
    }
  }
}
