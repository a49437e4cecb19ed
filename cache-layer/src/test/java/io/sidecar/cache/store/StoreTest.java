package io.sidecar.cache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sidecar.cache.MutableClock;
import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.StoredResponse;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** L1 store, off-heap bodies and the L2 entry format (no network). */
class StoreTest {

  private static StoredEntry entry(String primary, String url, Map<String, String> vary, int bodySize, long until) {
    byte[] b = new byte[bodySize];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) i;
    }
    return new StoredEntry(primary, url, "r", Set.of("t1", "t2"), vary,
        new StoredResponse(200, HeaderFields.of("Content-Type", "x/\u00e9", "ETag", "\"e\""), 1, 2),
        OffHeapBodies.of(Buffer.buffer(b)), until);
  }

  @Test
  void codecRoundTripsBinaryBodiesAndLatin1Headers() {
    StoredEntry e = entry("http://h/a\u001faccept=x", "http://h/a", Map.of("accept", "\u0000"), 3000, 99);
    Object decoded = EntryCodec.decode(EntryCodec.encode(e));
    assertThat(decoded).isInstanceOf(StoredEntry.class);
    StoredEntry d = (StoredEntry) decoded;
    assertThat(d.primaryKey()).isEqualTo(e.primaryKey());
    assertThat(d.keyUrl()).isEqualTo("http://h/a");
    assertThat(d.tags()).containsExactlyInAnyOrder("t1", "t2");
    assertThat(d.varyKey()).isEqualTo(e.varyKey());
    assertThat(d.response()).isEqualTo(e.response());
    assertThat(d.body().getBytes()).isEqualTo(e.body().getBytes());
    assertThat(d.storeUntil()).isEqualTo(99);
    EntryCodec.VaryMarker m = new EntryCodec.VaryMarker("g1", List.of("accept", "accept-language"));
    assertThat(EntryCodec.decode(EntryCodec.encodeMarker(m))).isEqualTo(m);
  }

  @Test
  void codecRejectsForeignOrTruncatedBytes() {
    assertThatThrownBy(() -> EntryCodec.decode(Buffer.buffer("hello"))).isInstanceOf(IllegalArgumentException.class);
    Buffer full = EntryCodec.encode(entry("k", "k", Map.of(), 100, 1));
    assertThatThrownBy(() -> EntryCodec.decode(full.slice(0, full.length() - 10)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void offHeapBodiesJoinChunks() {
    List<Buffer> chunks = new ArrayList<>();
    chunks.add(Buffer.buffer("abc"));
    chunks.add(Buffer.buffer("defgh"));
    chunks.add(Buffer.buffer(""));
    chunks.add(Buffer.buffer("i"));
    Buffer b = OffHeapBodies.of(chunks, 9);
    assertThat(b.toString()).isEqualTo("abcdefghi");
    assertThat(OffHeapBodies.of(List.of(), 0).length()).isZero();
  }

  @Test
  void l1KeepsVariantsAndEvictsByBytes() {
    MutableClock clock = new MutableClock(0);
    AtomicLong evicted = new AtomicLong();
    L1Store l1 = new L1Store(64 * 1024, 1L << 30, 4, clock, (route, bytes) -> evicted.addAndGet(bytes));
    l1.put(entry("k", "k", Map.of("accept", "a"), 100, 10_000));
    l1.put(entry("k", "k", Map.of("accept", "b"), 100, 10_000));
    assertThat(l1.get("k", HeaderFields.of("Accept", "a"))).isNotNull();
    assertThat(l1.get("k", HeaderFields.of("Accept", "b"))).isNotNull();
    assertThat(l1.get("k", HeaderFields.of("Accept", "c"))).isNull();
    for (int i = 0; i < 40; i++) {
      l1.put(entry("big" + i, "big" + i, Map.of(), 8 * 1024, 10_000));
    }
    l1.cleanUp();
    assertThat(l1.weightedSize()).isLessThanOrEqualTo(64 * 1024);
    assertThat(evicted.get()).isPositive();
  }

  @Test
  void l1BoundsTheHeapItsEntriesHoldWhenBodiesAreSmall() {
    MutableClock clock = new MutableClock(0);
    // 1 MiB of bytes would hold about 2 600 of these 100-byte entries; 256 KiB of heap holds about 150.
    long maxHeap = 256 * 1024;
    L1Store l1 = new L1Store(1024 * 1024, maxHeap, 4, clock, (r, b) -> { });
    for (int i = 0; i < 2000; i++) {
      l1.put(entry("http://h/" + i, "http://h/" + i, Map.of(), 100, 10_000));
    }
    l1.cleanUp();
    int largest = entry("http://h/1999", "http://h/1999", Map.of(), 100, 10_000).heapWeight() + L1Store.VARIANTS_HEAP;
    int smallest = entry("http://h/0", "http://h/0", Map.of(), 100, 10_000).heapWeight() + L1Store.VARIANTS_HEAP;
    assertThat(l1.heapBytes()).isLessThanOrEqualTo(maxHeap).isGreaterThan(maxHeap - 2L * largest);
    assertThat(l1.entryCount()).isBetween(l1.heapBytes() / largest, l1.heapBytes() / smallest);
    assertThat(l1.storedBytes()).isLessThan(1024 * 1024 / 4);
  }

  @Test
  void l1CountsStoredAndHeapBytesThroughReplacementsAndRemovals() {
    MutableClock clock = new MutableClock(0);
    L1Store l1 = new L1Store(1024 * 1024, 1L << 30, 4, clock, (r, b) -> { });
    StoredEntry a = entry("http://h/a", "http://h/a", Map.of(), 100, 10_000);
    StoredEntry b = entry("http://h/b", "http://h/b", Map.of(), 300, 10_000);
    l1.put(a);
    l1.put(b);
    l1.put(entry("http://h/a", "http://h/a", Map.of(), 100, 10_000)); // replaces a
    assertThat(l1.storedBytes()).isEqualTo(a.weight() + b.weight());
    assertThat(l1.heapBytes()).isEqualTo(a.heapWeight() + b.heapWeight() + 2L * L1Store.VARIANTS_HEAP);
    l1.remove("http://h/a");
    l1.remove("http://h/b");
    assertThat(l1.storedBytes()).isZero();
    assertThat(l1.heapBytes()).isZero();
  }

  @Test
  void l1ExpiresOnTheCacheClockAndRemovesByUrl() {
    MutableClock clock = new MutableClock(0);
    L1Store l1 = new L1Store(1024 * 1024, 1L << 30, 4, clock, (r, b) -> { });
    l1.put(entry("http://h/a\u001fx-t=1", "http://h/a", Map.of(), 10, 5_000));
    l1.put(entry("http://h/a\u001fx-t=2", "http://h/a", Map.of(), 10, 5_000));
    l1.put(entry("http://h/b", "http://h/b", Map.of(), 10, 5_000));
    assertThat(l1.removeUrl("http://h/a")).hasSize(2);
    assertThat(l1.get("http://h/a\u001fx-t=1", HeaderFields.EMPTY)).isNull();
    clock.advance(Duration.ofSeconds(6));
    assertThat(l1.get("http://h/b", HeaderFields.EMPTY)).isNull();
  }
}
