package io.sidecar.config;

/** Process-wide cache layers: L1 size in bytes; {@code l2Redis} null for L1 only. */
public record CacheSpec(long l1MaxSize, String l2Redis, String tagHeader) {
  public static final long DEFAULT_L1_MAX_SIZE = 256L * 1024 * 1024;
}
