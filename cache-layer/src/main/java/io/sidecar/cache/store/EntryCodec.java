package io.sidecar.cache.store;

import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.StoredResponse;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary-safe L2 format. Every string is length-prefixed UTF-8 (header values decoded as ISO-8859-1 by the HTTP
 * codec round-trip exactly), the body is raw bytes. Layout (big endian):
 *
 * <pre>
 * entry:  'S' 'C' 1 'E' | storeUntil i64 | status i32 | requestTime i64 | responseTime i64
 *         | primaryKey str | keyUrl str | route str | tags (n i32, str*) | vary (n i32, (name str, value str)*)
 *         | headers (n i32, (name str, value str)*) | body (len i32, bytes)
 * marker: 'S' 'C' 1 'V' | generation str | vary names (n i32, str*)   (under the primary key when the response
 *         varies; variant keys include the generation, so deleting the marker orphans every old variant)
 * </pre>
 */
public final class EntryCodec {

  private static final byte VERSION = 1;

  /** A record stored under a primary key that says which request headers select the variant key. */
  public record VaryMarker(String generation, List<String> names) {
  }

  private EntryCodec() {
  }

  public static Buffer encode(StoredEntry e) {
    Buffer b = Buffer.buffer(e.body().length() + e.response().headers().byteSize() + 256);
    b.appendByte((byte) 'S').appendByte((byte) 'C').appendByte(VERSION).appendByte((byte) 'E');
    b.appendLong(e.storeUntil());
    StoredResponse r = e.response();
    b.appendInt(r.status()).appendLong(r.requestTime()).appendLong(r.responseTime());
    str(b, e.primaryKey());
    str(b, e.keyUrl());
    str(b, e.route());
    b.appendInt(e.tags().size());
    for (String t : e.tags()) {
      str(b, t);
    }
    b.appendInt(e.varyKey().size());
    for (Map.Entry<String, String> v : e.varyKey().entrySet()) {
      str(b, v.getKey());
      str(b, v.getValue());
    }
    b.appendInt(r.headers().size());
    for (Map.Entry<String, String> h : r.headers().lines()) {
      str(b, h.getKey());
      str(b, h.getValue());
    }
    b.appendInt(e.body().length());
    b.appendBuffer(e.body());
    return b;
  }

  public static Buffer encodeMarker(VaryMarker m) {
    Buffer b = Buffer.buffer();
    b.appendByte((byte) 'S').appendByte((byte) 'C').appendByte(VERSION).appendByte((byte) 'V');
    str(b, m.generation());
    b.appendInt(m.names().size());
    for (String n : m.names()) {
      str(b, n);
    }
    return b;
  }

  /**
   * @return a {@link StoredEntry} (body copied off-heap) or a {@link VaryMarker}
   * @throws IllegalArgumentException when the bytes are not in this format
   */
  public static Object decode(Buffer b) {
    if (b.length() < 4 || b.getByte(0) != 'S' || b.getByte(1) != 'C' || b.getByte(2) != VERSION) {
      throw new IllegalArgumentException("not a cache entry");
    }
    int[] pos = {4};
    try {
      if (b.getByte(3) == 'V') {
        String generation = str(b, pos);
        int n = count(b, pos);
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          names.add(str(b, pos));
        }
        return new VaryMarker(generation, names);
      }
      long storeUntil = b.getLong(pos[0]);
      int status = b.getInt(pos[0] + 8);
      long requestTime = b.getLong(pos[0] + 12);
      long responseTime = b.getLong(pos[0] + 20);
      pos[0] += 28;
      String primary = str(b, pos);
      String url = str(b, pos);
      String route = str(b, pos);
      int nTags = count(b, pos);
      Set<String> tags = new HashSet<>();
      for (int i = 0; i < nTags; i++) {
        tags.add(str(b, pos));
      }
      int nVary = count(b, pos);
      Map<String, String> vary = new LinkedHashMap<>();
      for (int i = 0; i < nVary; i++) {
        vary.put(str(b, pos), str(b, pos));
      }
      int nHeaders = count(b, pos);
      List<Map.Entry<String, String>> headers = new ArrayList<>(nHeaders);
      for (int i = 0; i < nHeaders; i++) {
        headers.add(Map.entry(str(b, pos), str(b, pos)));
      }
      int bodyLen = count(b, pos);
      if (pos[0] + bodyLen != b.length()) {
        throw new IllegalArgumentException("body length mismatch");
      }
      Buffer body = OffHeapBodies.of(b.slice(pos[0], pos[0] + bodyLen));
      return new StoredEntry(primary, url, route, tags, vary,
          new StoredResponse(status, HeaderFields.of(headers), requestTime, responseTime), body, storeUntil);
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated cache entry", e);
    }
  }

  private static void str(Buffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  private static int count(Buffer b, int[] pos) {
    int n = b.getInt(pos[0]);
    pos[0] += 4;
    if (n < 0 || n > b.length()) {
      throw new IllegalArgumentException("bad count " + n);
    }
    return n;
  }

  private static String str(Buffer b, int[] pos) {
    int n = count(b, pos);
    String s = b.getString(pos[0], pos[0] + n, "UTF-8");
    pos[0] += n;
    return s;
  }
}
