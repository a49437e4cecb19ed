package io.sidecar.cache.semantics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A small circuit breaker for the optional L2 store: after {@code failureThreshold} consecutive failures it
 * opens for {@code openNanos}; then one probe call is let through (half-open) and its outcome closes or
 * re-opens it (the state machine of Resilience4j's CircuitBreakerStateMachine, counted not windowed).
 */
public final class ConsecutiveFailureBreaker {

  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int failureThreshold;
  private final long openNanos;
  private final LongSupplier nanos;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicLong openedAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicInteger probes = new AtomicInteger();

  public ConsecutiveFailureBreaker(int failureThreshold, long openNanos, LongSupplier nanos) {
    if (failureThreshold < 1 || openNanos <= 0) {
      throw new IllegalArgumentException("need failureThreshold >= 1 and openNanos > 0");
    }
    this.failureThreshold = failureThreshold;
    this.openNanos = openNanos;
    this.nanos = nanos;
  }

  public State state() {
    long opened = openedAt.get();
    if (opened == Long.MIN_VALUE) {
      return State.CLOSED;
    }
    return nanos.getAsLong() - opened < openNanos ? State.OPEN : State.HALF_OPEN;
  }

  /** May a call go through now? In half-open state only one probe at a time. */
  public boolean tryAcquire() {
    State s = state();
    if (s == State.CLOSED) {
      return true;
    }
    if (s == State.OPEN) {
      return false;
    }
    return probes.compareAndSet(0, 1);
  }

  public void onSuccess() {
    consecutiveFailures.set(0);
    openedAt.set(Long.MIN_VALUE);
    probes.set(0);
  }

  public void onFailure() {
    if (state() == State.HALF_OPEN) {
      openedAt.set(nanos.getAsLong());
      probes.set(0);
      return;
    }
    if (consecutiveFailures.incrementAndGet() >= failureThreshold && openedAt.get() == Long.MIN_VALUE) {
      openedAt.set(nanos.getAsLong());
      probes.set(0);
    }
  }
}
