package io.sidecar.balancer.limit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local rate limit: {@code requests} per {@code per} on average, bursts of up to {@code burst} at once, as a token
 * bucket of {@code burst} tokens refilled at {@code requests / per} (Envoy's local_ratelimit, nginx's limit_req).
 *
 * <p>Kept as the Generic Cell Rate Algorithm (ITU-T I.371; Brandur Leach, "Rate limiting, cells, and GCRA"), which
 * is the same bucket held as one number: the theoretical arrival time {@code tat} of the next request if the
 * traffic were perfectly paced. A request at {@code now} is allowed when {@code max(tat, now) + T - now <= tau}, with
 * {@code T = per / requests} the emission interval and {@code tau = burst * T}; then {@code tat} moves on by T. One
 * compare-and-set per request, no lock and no refill timer, so every event loop can ask it.
 */
public final class RateLimit {
  /** The answer to one request: allowed, or refused with the wait until one would be. */
  public record Decision(boolean allowed, long retryAfterNanos, long remaining) {}

  private final long emissionNanos;
  private final long toleranceNanos;
  private final AtomicLong tat;

  /** @param nowNanos the clock's reading now (the bucket starts full) */
  public RateLimit(long requests, Duration per, long burst, long nowNanos) {
    if (requests < 1) throw new IllegalArgumentException("requests must be at least 1, got " + requests);
    if (burst < 1) throw new IllegalArgumentException("burst must be at least 1, got " + burst);
    if (per.isZero() || per.isNegative()) throw new IllegalArgumentException("per must be positive, got " + per);
    this.emissionNanos = Math.max(1, per.toNanos() / requests);
    this.toleranceNanos = Math.multiplyExact(emissionNanos, burst);
    this.tat = new AtomicLong(nowNanos);
  }

  /** Takes one request's token at {@code nowNanos} if there is one. */
  public Decision tryAcquire(long nowNanos) {
    while (true) {
      long current = tat.get();
      long start = Math.max(current, nowNanos);
      long next = start + emissionNanos;
      long debt = next - nowNanos; // how far ahead of a paced schedule the traffic would be
      if (debt > toleranceNanos) {
        return new Decision(false, debt - toleranceNanos, 0);
      }
      if (tat.compareAndSet(current, next)) {
        return new Decision(true, 0, (toleranceNanos - debt) / emissionNanos);
      }
    }
  }
}
