package io.sidecar.cache;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Process-wide cache configuration (the top-level {@code cache:} block). Build with {@link #builder()}.
 *
 * @param l1MaxBytes L1 capacity in bytes (bodies + headers)
 * @param l1MaxHeapBytes heap the L1's entries may hold (0 in the builder: 30 % of the JVM's maximum heap)
 * @param maxVariants stored Vary variants per primary key
 * @param l2RedisUri Redis connection string for L2 and purge pub/sub, or null for L1 only
 * @param l2KeyPrefix prefix of every Redis key and of the purge channel (one per service)
 * @param l2MaxObjectSize larger bodies stay in L1 only
 * @param l2Timeout an L2 read slower than this is treated as a miss
 * @param l2BreakerFailures consecutive L2 failures that open the breaker
 * @param l2BreakerOpen how long the breaker stays open before a probe
 * @param staleRetention how long entries are kept after they become stale (L1 and L2), at least; longer when
 *     stale-while-revalidate / stale-if-error ask for it
 * @param coalesceWait how long a coalesced miss waits for the leader's fill before fetching on its own
 * @param targetedFields targeted Cache-Control fields for a cache in our position, first present wins (RFC 9213)
 * @param tagHeaders response headers whose values tag the entry for purge-by-tag
 * @param instanceId this instance's id (its own purge messages are ignored when they come back)
 * @param refreshAheadMinHits hits since store that make an entry hot
 * @param refreshAheadFraction revalidate hot entries when less than this fraction of their lifetime is left
 * @param adaptiveTargetStaleness target probability that a heuristically fresh response is outdated
 * @param adaptiveMinSamples revalidations per prefix before the learnt TTL is used
 * @param adaptivePrefixDepth path segments of the key prefix the adaptive TTL learns per
 * @param pubSubReconnect delay between attempts to re-subscribe to the purge channel
 */
public record CacheConfig(long l1MaxBytes, long l1MaxHeapBytes, int maxVariants, String l2RedisUri, String l2KeyPrefix,
    long l2MaxObjectSize, Duration l2Timeout, int l2BreakerFailures, Duration l2BreakerOpen,
    Duration staleRetention, Duration coalesceWait, List<String> targetedFields, List<String> tagHeaders,
    String instanceId, int refreshAheadMinHits, double refreshAheadFraction, double adaptiveTargetStaleness,
    int adaptiveMinSamples, int adaptivePrefixDepth, Duration pubSubReconnect) {

  public static final long DEFAULT_L1_MAX_BYTES = 256L * 1024 * 1024;
  public static final int DEFAULT_MAX_VARIANTS = 16;
  public static final String DEFAULT_L2_KEY_PREFIX = "sidecar:cache:";
  public static final long DEFAULT_L2_MAX_OBJECT_SIZE = 1024 * 1024;
  public static final Duration DEFAULT_L2_TIMEOUT = Duration.ofMillis(50);
  public static final int DEFAULT_L2_BREAKER_FAILURES = 5;
  public static final Duration DEFAULT_L2_BREAKER_OPEN = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STALE_RETENTION = Duration.ofMinutes(10);
  public static final Duration DEFAULT_COALESCE_WAIT = Duration.ofSeconds(5);
  public static final List<String> DEFAULT_TARGETED_FIELDS = List.of("CDN-Cache-Control", "Surrogate-Control");
  public static final List<String> DEFAULT_TAG_HEADERS = List.of("Surrogate-Key", "Cache-Tag");
  public static final int DEFAULT_REFRESH_AHEAD_MIN_HITS = 10;
  public static final double DEFAULT_REFRESH_AHEAD_FRACTION = 0.1;
  public static final double DEFAULT_ADAPTIVE_TARGET_STALENESS = 0.1;
  public static final int DEFAULT_ADAPTIVE_MIN_SAMPLES = 5;
  public static final int DEFAULT_ADAPTIVE_PREFIX_DEPTH = 1;
  public static final Duration DEFAULT_PUBSUB_RECONNECT = Duration.ofSeconds(1);

  public CacheConfig {
    require(l1MaxBytes > 0, "l1.max_size", "must be positive");
    require(l1MaxHeapBytes > 0, "l1.max_heap", "must be positive");
    require(maxVariants >= 1, "max_variants", "must be >= 1");
    require(l2KeyPrefix != null, "l2.key_prefix", "must not be null");
    require(l2MaxObjectSize > 0, "l2.max_object_size", "must be positive");
    require(positive(l2Timeout), "l2.timeout", "must be positive");
    require(l2BreakerFailures >= 1, "l2.breaker_failures", "must be >= 1");
    require(positive(l2BreakerOpen), "l2.breaker_open", "must be positive");
    require(staleRetention != null && !staleRetention.isNegative(), "stale_retention", "must be >= 0");
    require(positive(coalesceWait), "coalesce_wait", "must be positive");
    require(instanceId != null && !instanceId.isBlank(), "instance_id", "must not be empty");
    require(refreshAheadMinHits >= 1, "refresh_ahead.min_hits", "must be >= 1");
    require(refreshAheadFraction > 0 && refreshAheadFraction < 1, "refresh_ahead.fraction", "must be in (0,1)");
    require(adaptiveTargetStaleness > 0 && adaptiveTargetStaleness < 1, "adaptive.target_staleness",
        "must be in (0,1)");
    require(adaptiveMinSamples >= 1, "adaptive.min_samples", "must be >= 1");
    require(adaptivePrefixDepth >= 0, "adaptive.prefix_depth", "must be >= 0");
    require(positive(pubSubReconnect), "l2.pubsub_reconnect", "must be positive");
    targetedFields = List.copyOf(targetedFields);
    tagHeaders = List.copyOf(tagHeaders);
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String field, String what) {
    if (!ok) {
      throw new IllegalArgumentException("cache." + field + ": " + what);
    }
  }

  /**
   * 30 % of the JVM's maximum heap: the L1's entry objects then leave the rest to the data plane's transient
   * garbage and the other modules (with {@code bin/sidecar}'s {@code -Xmx160m}, 48 MiB: about 16 000 entries of
   * 10 header fields).
   */
  public static long defaultL1MaxHeapBytes() {
    return Runtime.getRuntime().maxMemory() * 3 / 10;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private long l1MaxBytes = DEFAULT_L1_MAX_BYTES;
    private long l1MaxHeapBytes;
    private int maxVariants = DEFAULT_MAX_VARIANTS;
    private String l2RedisUri;
    private String l2KeyPrefix = DEFAULT_L2_KEY_PREFIX;
    private long l2MaxObjectSize = DEFAULT_L2_MAX_OBJECT_SIZE;
    private Duration l2Timeout = DEFAULT_L2_TIMEOUT;
    private int l2BreakerFailures = DEFAULT_L2_BREAKER_FAILURES;
    private Duration l2BreakerOpen = DEFAULT_L2_BREAKER_OPEN;
    private Duration staleRetention = DEFAULT_STALE_RETENTION;
    private Duration coalesceWait = DEFAULT_COALESCE_WAIT;
    private List<String> targetedFields = DEFAULT_TARGETED_FIELDS;
    private List<String> tagHeaders = DEFAULT_TAG_HEADERS;
    private String instanceId = UUID.randomUUID().toString();
    private int refreshAheadMinHits = DEFAULT_REFRESH_AHEAD_MIN_HITS;
    private double refreshAheadFraction = DEFAULT_REFRESH_AHEAD_FRACTION;
    private double adaptiveTargetStaleness = DEFAULT_ADAPTIVE_TARGET_STALENESS;
    private int adaptiveMinSamples = DEFAULT_ADAPTIVE_MIN_SAMPLES;
    private int adaptivePrefixDepth = DEFAULT_ADAPTIVE_PREFIX_DEPTH;
    private Duration pubSubReconnect = DEFAULT_PUBSUB_RECONNECT;

    public Builder l1MaxBytes(long v) { l1MaxBytes = v; return this; }
    /** 0 (the default) takes {@link #defaultL1MaxHeapBytes()}. */
    public Builder l1MaxHeapBytes(long v) { l1MaxHeapBytes = v; return this; }
    public Builder maxVariants(int v) { maxVariants = v; return this; }
    public Builder l2RedisUri(String v) { l2RedisUri = v; return this; }
    public Builder l2KeyPrefix(String v) { l2KeyPrefix = v; return this; }
    public Builder l2MaxObjectSize(long v) { l2MaxObjectSize = v; return this; }
    public Builder l2Timeout(Duration v) { l2Timeout = v; return this; }
    public Builder l2BreakerFailures(int v) { l2BreakerFailures = v; return this; }
    public Builder l2BreakerOpen(Duration v) { l2BreakerOpen = v; return this; }
    public Builder staleRetention(Duration v) { staleRetention = v; return this; }
    public Builder coalesceWait(Duration v) { coalesceWait = v; return this; }
    public Builder targetedFields(List<String> v) { targetedFields = v; return this; }
    public Builder tagHeaders(List<String> v) { tagHeaders = v; return this; }
    public Builder instanceId(String v) { instanceId = v; return this; }
    public Builder refreshAheadMinHits(int v) { refreshAheadMinHits = v; return this; }
    public Builder refreshAheadFraction(double v) { refreshAheadFraction = v; return this; }
    public Builder adaptiveTargetStaleness(double v) { adaptiveTargetStaleness = v; return this; }
    public Builder adaptiveMinSamples(int v) { adaptiveMinSamples = v; return this; }
    public Builder adaptivePrefixDepth(int v) { adaptivePrefixDepth = v; return this; }
    public Builder pubSubReconnect(Duration v) { pubSubReconnect = v; return this; }

    public CacheConfig build() {
      long maxHeap = l1MaxHeapBytes > 0 ? l1MaxHeapBytes : defaultL1MaxHeapBytes();
      return new CacheConfig(l1MaxBytes, maxHeap, maxVariants, l2RedisUri, l2KeyPrefix, l2MaxObjectSize, l2Timeout,
          l2BreakerFailures, l2BreakerOpen, staleRetention, coalesceWait, targetedFields, tagHeaders,
          instanceId, refreshAheadMinHits, refreshAheadFraction, adaptiveTargetStaleness, adaptiveMinSamples,
          adaptivePrefixDepth, pubSubReconnect);
    }
  }
}
