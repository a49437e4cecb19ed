package io.sidecar.cache.semantics;

/**
 * Refresh-ahead: a hot entry (at least {@code minHits} hits since it was stored) whose remaining freshness has
 * fallen below {@code fraction} of its lifetime is revalidated in the background before it expires, like
 * Caffeine's refreshAfterWrite but driven by the HTTP freshness lifetime.
 */
public record RefreshAhead(boolean enabled, long minHits, double fraction, long minLifetimeMillis) {

  public RefreshAhead {
    if (minHits < 1 || !(fraction > 0 && fraction < 1) || minLifetimeMillis < 0) {
      throw new IllegalArgumentException("need minHits >= 1, 0 < fraction < 1, minLifetime >= 0");
    }
  }

  public boolean shouldRefresh(long hits, long lifetimeMillis, long ageMillis) {
    if (!enabled || hits < minHits || lifetimeMillis < minLifetimeMillis || lifetimeMillis <= 0) {
      return false;
    }
    long left = lifetimeMillis - ageMillis;
    return left > 0 && left <= (long) (lifetimeMillis * fraction);
  }
}
