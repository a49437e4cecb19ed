package io.sidecar.cache;

/** The value of the {@code x-cache} response header. */
public enum CacheStatus {
  /** Served fresh from a store. */
  HIT,
  /** Fetched from the origin (and stored when allowed). */
  MISS,
  /** Served stale (max-stale, stale-while-revalidate or stale-if-error). */
  STALE,
  /** Validated with the origin (304) and served from a store. */
  REVALIDATED,
  /** Not cacheable by route policy or method: passed through. */
  BYPASS
}
