package io.sidecar.proxy;

import io.netty.channel.Channel;
import io.sidecar.balancer.CallKind;
import io.sidecar.balancer.ClusterBalancer;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.Pick;
import io.sidecar.balancer.retry.RetryPolicy;
import java.util.HashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The tries of one request on the byte-level upstream pool ({@link FastPathExchange} for HTTP/1.1 clients,
 * {@link Http2RawExchange} for HTTP/2 ones): the endpoints tried, the next pick, whether an outcome may be tried
 * again, the backoff, and which try a pooled connection is for. The rules are {@link Exchange}'s (Envoy's router
 * semantics, decided by the balancer's {@link RetryPolicy}): a retry goes to an endpoint not tried yet when there is
 * one, within the route timeout, a per-try timeout, the policy's attempts and conditions, an idempotent method unless
 * the route allows others, and the cluster's retry limits (the balancer refuses a {@link CallKind#RETRY} pick beyond
 * them). Without a policy there is one try, whose timeout is the route's.
 *
 * <p>Plain Java: the times are passed in, so the decisions are tested without a clock ({@code RawTriesTest}).
 */
final class RawTries {
  /** The route's retry policy, or null: one try. */
  private final RetryPolicy policy;
  private final boolean nonIdempotent;
  private final String method;
  private final long startNanos;
  private final long routeTimeoutNanos;
  /** Retries started so far. */
  private int retries;
  /** The endpoints tried, once a retry is due (the balancer picks another first); null before. */
  private Set<String> tried;
  /*
   * The state below changes only with a policy: without one, an instance is shared by a route's requests (oneTry).
   */
  /** The waiter of the current try, with a policy: a connection for an earlier try goes back to the pool. */
  private RawUpstreamPool.Waiter current;
  /** A retriable response is held (its upstream connection paused) while the retry is decided. */
  private boolean held;
  /** The balancer refused the retry: the held response went to the client, and none is held again. */
  private boolean letThrough;

  RawTries(RetryPolicy policy, boolean nonIdempotent, String method, long startNanos, long routeTimeoutNanos) {
    this.policy = policy;
    this.nonIdempotent = nonIdempotent;
    this.method = method;
    this.startNanos = startNanos;
    this.routeTimeoutNanos = routeTimeoutNanos;
  }

  /**
   * The tries of a request of {@code method} on {@code route} (a byte-level one: it has a timeout). A route without
   * retries gives its one {@link #oneTry} for every request: nothing in it changes, so none is made per request.
   */
  static RawTries of(RoutingSnapshot.CompiledRoute route, String method, long startNanos) {
    if (route.retry() == null) return route.oneTry();
    var spec = route.spec();
    return new RawTries(route.retry(), spec.retry().nonIdempotent(), method, startNanos, spec.timeout().toNanos());
  }

  /** One try and no retries, with the route's timeout; shared by all of the route's requests (config load makes it). */
  static RawTries oneTry(long routeTimeoutNanos) {
    return new RawTries(null, false, null, 0, routeTimeoutNanos);
  }

  boolean retrying() {
    return policy != null;
  }

  /** Whether a body of {@code length} bytes (known) is read whole first and sent by every try. */
  boolean replays(long length) {
    return policy != null && length > 0 && policy.canReplayBody(length);
  }

  int retries() {
    return retries;
  }

  /** The next try's timeout: min(per_try_timeout, the route time left) with a policy, else the route timeout. */
  long tryTimeoutNanos(long nowNanos) {
    return policy == null ? routeTimeoutNanos : policy.tryTimeoutNanos(routeTimeoutNanos, nowNanos - startNanos);
  }

  /** Whether a try of {@code tryTimeoutNanos} needs a deadline of its own: it ends before the route's. */
  boolean ownDeadline(long tryTimeoutNanos, long nowNanos) {
    return policy != null && tryTimeoutNanos < routeTimeoutNanos - (nowNanos - startNanos);
  }

  /** What an exchange does at each step of its tries; {@link #next} decides which. */
  interface Steps {
    /** No retry was picked while a retriable answer was held: that answer goes to the client after all. */
    void relayHeld();

    /** No try was picked (or the request failed otherwise): the client gets the sidecar's answer with {@code flag}. */
    void fail(ResponseFlag flag, String detail);

    /** A retry was picked while an answer was held: that answer is not the client's, and its connection is closed. */
    void dropHeld();

    /** Starts the picked try: its call, a deadline of {@code tryTimeoutNanos} of its own when {@code ownDeadline}. */
    void startTry(Pick pick, long tryTimeoutNanos, boolean ownDeadline);
  }

  /**
   * The next try: the first, or a retry after its backoff. The balancer picks an endpoint (another than those tried,
   * when there is one); a refused pick ends a held answer's wait, so the client sees the real last answer.
   */
  void next(Steps steps, ClusterBalancer balancer, long nowNanos) {
    long tryTimeout = tryTimeoutNanos(nowNanos);
    Pick pick = pick(balancer, tryTimeout);
    if (!pick.isAccepted()) {
      if (held) {
        held = false;
        letThrough = true;
        steps.relayHeld();
      } else {
        steps.fail(ResponseFlag.of(pick.refusal()), Exchange.refusalDetail(balancer.name(), pick.refusal()));
      }
      return;
    }
    if (held) {
      held = false;
      steps.dropHeld();
    }
    steps.startTry(pick, tryTimeout, ownDeadline(tryTimeout, nowNanos));
  }

  /** The balancer's pick for the next try: the first, or a retry avoiding the endpoints tried. */
  private Pick pick(ClusterBalancer balancer, long tryTimeoutNanos) {
    return balancer.pick(tried == null ? Set.of() : tried, retries == 0 ? CallKind.FIRST : CallKind.RETRY,
        Math.max(1, tryTimeoutNanos));
  }

  /**
   * Whether a try that ended with {@code outcome} is followed by another: route time left, attempts left, a matching
   * condition, an idempotent method unless the route allows others. {@code bodyGone}: part of a body that cannot be
   * sent again (streamed, not held for replay) went out with the try, so only the full path's rule for it is left:
   * no retry.
   */
  boolean mayRetry(Outcome outcome, boolean bodyGone, long nowNanos) {
    if (policy == null || nowNanos - startNanos >= routeTimeoutNanos || bodyGone) return false;
    return policy.shouldRetry(retries + 1, outcome, method, nonIdempotent);
  }

  /**
   * A final response of {@code status} came: whether it is held back for a retry, because the route retries that
   * status and may retry now ({@link #mayRetry}). Then its try is over, with the outcome returned; else null. The
   * exchange pauses the response unread until {@link #next} lets it through or drops it for the next try.
   */
  Outcome hold(int status, boolean bodyGone, long nowNanos) {
    if (policy == null || letThrough) return null;
    Outcome outcome = Outcome.status(status);
    if (!mayRetry(outcome, bodyGone, nowNanos)) return null;
    held = true;
    return outcome;
  }

  boolean holding() {
    return held;
  }

  /**
   * A try failed with {@code flag} before its response head: the outcome its call completes with when a retry
   * follows ({@link #mayRetry}), else null.
   */
  Outcome retryAfterFailure(ResponseFlag flag, boolean bodyGone, long nowNanos) {
    Outcome outcome = Outcome.failure(flag.failureKind());
    return mayRetry(outcome, bodyGone, nowNanos) ? outcome : null;
  }

  /**
   * Counts a retry after the try on {@code address} and returns its delay in milliseconds: Envoy's fully jittered
   * backoff, at least 1 ms as on the full path.
   */
  long retryAfter(String address, RandomGenerator random) {
    retries++;
    if (tried == null) tried = new HashSet<>(4);
    tried.add(address);
    return Math.max(1, policy.backoffNanos(retries, random) / 1_000_000);
  }

  /**
   * What the pool hands the new try's connection to: {@code exchange} itself without a policy (one try), else a waiter
   * of this try only. A try that timed out while its connection was on its way is over: that connection, when it
   * comes, goes back to the pool instead of to the try after it.
   */
  RawUpstreamPool.Waiter waiterFor(RawUpstreamPool.Waiter exchange, RawUpstreamPool pool) {
    if (policy == null) return exchange; // nothing kept: a one-try instance is shared
    current = new TryWaiter(exchange, pool);
    return current;
  }

  /** The current try's waiter: a connection closed under the request is asked for again with it. */
  RawUpstreamPool.Waiter currentWaiter(RawUpstreamPool.Waiter exchange) {
    return policy == null ? exchange : current;
  }

  private final class TryWaiter implements RawUpstreamPool.Waiter {
    private final RawUpstreamPool.Waiter exchange;
    private final RawUpstreamPool pool;

    TryWaiter(RawUpstreamPool.Waiter exchange, RawUpstreamPool pool) {
      this.exchange = exchange;
      this.pool = pool;
    }

    @Override
    public void ready(Channel channel) {
      if (current == this) exchange.ready(channel);
      else pool.release(channel);
    }

    @Override
    public void failed(ResponseFlag flag, String detail) {
      if (current == this) exchange.failed(flag, detail);
    }

    @Override
    public boolean cancelled() {
      return current != this || exchange.cancelled();
    }
  }
}
