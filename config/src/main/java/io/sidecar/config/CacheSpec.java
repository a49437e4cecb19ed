package io.sidecar.config;

/**
 * Process-wide cache layers: L1 size in bytes; L1 heap bound in bytes (0 = 30 % of the JVM's maximum heap);
 * {@code l2Redis} null for L1 only.
 */
public record CacheSpec(long l1MaxSize, long l1MaxHeap, String l2Redis, String tagHeader) {
  public static final long DEFAULT_L1_MAX_SIZE = 256L * 1024 * 1024;
}
