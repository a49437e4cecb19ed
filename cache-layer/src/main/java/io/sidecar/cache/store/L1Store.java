package io.sidecar.cache.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.Vary;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The in-process layer: a Caffeine cache bounded by bytes (weigher = body + headers), with Caffeine's
 * W-TinyLFU admission and eviction (Einziger, Friedman, Manes: "TinyLFU: A Highly Efficient Cache Admission
 * Policy", 2017). One value per primary key holds its Vary variants; it expires when its last variant's
 * retention ends (measured on the cache's clock).
 */
public final class L1Store {

  /**
   * The variants stored under one primary key, with their stored bytes and heap summed once: Caffeine's weigher,
   * the put and the removal listener all read them.
   */
  record Variants(List<StoredEntry> entries, int weight, int heapWeight) {
    static Variants of(List<StoredEntry> entries) {
      int bytes = 0;
      int heap = VARIANTS_HEAP;
      for (StoredEntry e : entries) {
        bytes += e.weight();
        heap += e.heapWeight();
      }
      return new Variants(List.copyOf(entries), bytes, heap);
    }

    long storeUntil() {
      long max = Long.MIN_VALUE;
      for (StoredEntry e : entries) {
        max = Math.max(max, e.storeUntil());
      }
      return max;
    }
  }

  /** Heap of the value record, its list and the key string's header. */
  static final int VARIANTS_HEAP = 64;

  private final Cache<String, Variants> cache;
  private final LongAdder storedBytes = new LongAdder();
  private final LongAdder heapBytes = new LongAdder();
  /** Byte-budget units per heap byte: {@code maxBytes / maxHeapBytes}, see {@link #weigh}. */
  private final double heapScale;
  /** URL -> primary keys that differ from the URL (keys with configured header parts), for invalidation. */
  private final Map<String, Set<String>> keysByUrl = new ConcurrentHashMap<>();
  private final int maxVariants;
  private final Clock clock;

  /**
   * @param maxBytes bound on stored bytes (bodies, off-heap, plus headers)
   * @param maxHeapBytes bound on the heap the entries hold ({@link StoredEntry#heapWeight()}): with small bodies
   *     the per-entry objects, not the bytes, are what fills the JVM, so both are bounded
   * @param onEviction called with (route, bytes) when an entry is evicted for size or expiry
   */
  public L1Store(long maxBytes, long maxHeapBytes, int maxVariants, Clock clock,
                 BiConsumer<String, Long> onEviction) {
    if (maxBytes <= 0 || maxHeapBytes <= 0) throw new IllegalArgumentException("L1 bounds must be positive");
    this.heapScale = (double) maxBytes / maxHeapBytes;
    this.maxVariants = maxVariants;
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String k, Variants v) -> weigh(v))
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .expireAfter(new Expiry<String, Variants>() {
          @Override
          public long expireAfterCreate(String key, Variants value, long currentTime) {
            return remaining(value);
          }

          @Override
          public long expireAfterUpdate(String key, Variants value, long currentTime, long currentDuration) {
            return remaining(value);
          }

          @Override
          public long expireAfterRead(String key, Variants value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .executor(Runnable::run)
        .removalListener((String k, Variants v, RemovalCause cause) -> {
          if (v != null) {
            storedBytes.add(-v.weight());
            heapBytes.add(-v.heapWeight());
          }
          if (k != null && v != null && cause != RemovalCause.REPLACED) {
            unindex(k, v);
          }
          if (v != null && cause.wasEvicted()) {
            for (StoredEntry e : v.entries()) {
              onEviction.accept(e.route(), (long) e.body().length());
            }
          }
        })
        .build();
  }

  /**
   * One weight keeps two budgets (Caffeine bounds a single total): a value weighs the larger of its stored bytes
   * and its heap scaled to the byte budget, so a full cache is within {@code maxBytes} of stored bytes and within
   * {@code maxHeapBytes} of heap, whichever binds first.
   */
  int weigh(Variants v) {
    long heapShare = (long) Math.ceil(v.heapWeight() * heapScale);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(v.weight(), heapShare));
  }

  private long remaining(Variants v) {
    return TimeUnit.MILLISECONDS.toNanos(Math.max(1, v.storeUntil() - clock.millis()));
  }

  /** The variant matching the request's headers, or null. */
  public StoredEntry get(String primaryKey, HeaderFields requestHeaders) {
    Variants v = cache.getIfPresent(primaryKey);
    if (v == null) {
      return null;
    }
    for (StoredEntry e : v.entries()) {
      if (Vary.matches(e.varyKey(), requestHeaders)) {
        return e;
      }
    }
    return null;
  }

  private void unindex(String primaryKey, Variants v) {
    if (v.entries().isEmpty()) {
      return;
    }
    String url = v.entries().get(0).keyUrl();
    if (!url.equals(primaryKey)) {
      keysByUrl.computeIfPresent(url, (u, set) -> {
        if (!cache.asMap().containsKey(primaryKey)) {
          set.remove(primaryKey);
        }
        return set.isEmpty() ? null : set;
      });
    }
  }

  /** Stores an entry, replacing the variant with the same secondary key. */
  public void put(StoredEntry entry) {
    if (!entry.keyUrl().equals(entry.primaryKey())) {
      keysByUrl.computeIfAbsent(entry.keyUrl(), u -> ConcurrentHashMap.newKeySet()).add(entry.primaryKey());
    }
    Variants stored = cache.asMap().compute(entry.primaryKey(), (k, old) -> {
      List<StoredEntry> list = new ArrayList<>();
      list.add(entry);
      if (old != null) {
        for (StoredEntry e : old.entries()) {
          if (!e.varyKey().equals(entry.varyKey()) && list.size() < maxVariants
              && sameVaryNames(e.varyKey(), entry.varyKey())) {
            list.add(e);
          }
        }
      }
      return Variants.of(list);
    });
    // The replaced value (if any) is subtracted by the removal listener.
    storedBytes.add(stored.weight());
    heapBytes.add(stored.heapWeight());
  }

  /** Variants only coexist when they vary on the same header names (a new Vary replaces the old ones). */
  private static boolean sameVaryNames(Map<String, String> a, Map<String, String> b) {
    return a.keySet().equals(b.keySet());
  }

  /** Removes one primary key (all variants); true when something was removed. */
  public boolean remove(String primaryKey) {
    return cache.asMap().remove(primaryKey) != null;
  }

  /** Removes every primary key whose URL part equals {@code url}; returns the removed primary keys. */
  public List<String> removeUrl(String url) {
    List<String> removed = new ArrayList<>();
    if (cache.asMap().remove(url) != null) {
      removed.add(url);
    }
    Set<String> keys = keysByUrl.remove(url);
    if (keys != null) {
      for (String k : keys) {
        if (cache.asMap().remove(k) != null) {
          removed.add(k);
        }
      }
    }
    return removed;
  }

  /** Removes primary keys having any variant that matches; returns the removed primary keys. */
  public List<String> removeIf(Predicate<StoredEntry> p) {
    List<String> removed = new ArrayList<>();
    for (Map.Entry<String, Variants> e : cache.asMap().entrySet()) {
      for (StoredEntry se : e.getValue().entries()) {
        if (p.test(se)) {
          if (cache.asMap().remove(e.getKey()) != null) {
            removed.add(e.getKey());
          }
          break;
        }
      }
    }
    return removed;
  }

  public long weightedSize() {
    return cache.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L);
  }

  /** Stored bytes (bodies plus headers) of the entries present. */
  public long storedBytes() {
    return storedBytes.sum();
  }

  /** Estimated heap the entries present hold. */
  public long heapBytes() {
    return heapBytes.sum();
  }

  public long entryCount() {
    return cache.estimatedSize();
  }

  /** Runs pending maintenance (evictions) now; for tests. */
  public void cleanUp() {
    cache.cleanUp();
  }
}
