package io.sidecar.cache;

import io.sidecar.cache.semantics.Directives;
import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.Revalidation;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which header fields {@link HttpCache} stores, sends downstream and reads tags from: no hop-by-hop,
 * Connection-listed or private-qualified field is stored (RFC 9111 §3.1), the surrogate tag fields become the entry's
 * tags and are not passed on.
 */
final class CacheHeaders {
  private final List<String> strippedDownstream;
  private final List<String> tagHeaders;

  CacheHeaders(CacheConfig config) {
    List<String> stripped = new ArrayList<>(config.tagHeaders());
    stripped.add("Surrogate-Control");
    this.strippedDownstream = List.copyOf(stripped);
    this.tagHeaders = List.copyOf(config.tagHeaders());
  }

  /** Headers kept with a stored response: no hop-by-hop, Connection-listed, private-qualified or tag fields. */
  HeaderFields stored(HeaderFields h, Directives cc) {
    List<String> drop = new ArrayList<>(Revalidation.HOP_BY_HOP);
    drop.addAll(h.listElements("Connection"));
    drop.addAll(cc.fieldNames("private"));
    drop.addAll(tagHeaders); // kept as the entry's tags; Surrogate-Control stays (it holds our directives)
    drop.add(CacheResponse.X_CACHE);
    drop.add(CacheResponse.X_CACHE_LAYER);
    return h.without(drop);
  }

  /** Whether {@code name} is one of {@code names}, ignoring case (the lists here hold a few names). */
  static boolean namedIn(List<String> names, String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) return true;
    }
    return false;
  }

  MultiMap downstream(MultiMap origin) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap().addAll(origin);
    for (String s : strippedDownstream) {
      out.remove(s);
    }
    return out;
  }

  Set<String> tags(HeaderFields h) {
    Set<String> tags = new HashSet<>();
    for (String header : tagHeaders) {
      for (String v : h.all(header)) {
        for (String t : v.split("[,\\s]+")) {
          if (!t.isEmpty()) {
            tags.add(t);
          }
        }
      }
    }
    return tags;
  }

  static long contentLength(HeaderFields h) {
    String cl = h.first("Content-Length");
    if (cl == null) {
      return 0;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static HeaderFields fields(MultiMap m) {
    // not m.size(): Vert.x's counts distinct names through a case-insensitive TreeSet (8 % of a cache hit's CPU)
    List<Map.Entry<String, String>> lines = new ArrayList<>();
    for (Map.Entry<String, String> e : m) {
      lines.add(e);
    }
    return HeaderFields.of(lines);
  }

  static MultiMap without(MultiMap h, List<String> names) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap().addAll(h);
    names.forEach(out::remove);
    return out;
  }

  /** {@code h} without the tag fields (a 304's update of a stored response, RFC 9111 §4.3.4). */
  HeaderFields withoutTags(HeaderFields h) {
    return h.without(tagHeaders);
  }

  /** Whether a stored field goes to the client (tag fields and Surrogate-Control do not). */
  boolean passedDownstream(String name) {
    return !namedIn(strippedDownstream, name);
  }
}
