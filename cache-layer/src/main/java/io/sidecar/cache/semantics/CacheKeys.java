package io.sidecar.cache.semantics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds primary cache keys (RFC 9111 §2: at least method and target URI; we store GET only) from scheme,
 * host (lower-cased, default port removed), path, query (optionally filtered and sorted) and configured
 * request headers.
 */
public final class CacheKeys {

  /** Separates the URL from the header part of a primary key. */
  public static final char HEADER_SEPARATOR = '\u001f';

  /**
   * @param url the normalised absolute URL part of the key
   * @param pathAndQuery the normalised path and query
   * @param primary the full primary key (url plus configured header values)
   */
  public record CacheKey(String url, String pathAndQuery, String primary) {
  }

  /**
   * @param ignoredParams query parameters dropped from the key
   * @param keptParams when not empty, only these query parameters are kept
   * @param sortQuery sort query parameters by name (stable, so repeated names keep their order)
   * @param keyHeaders request headers whose values become part of the key
   */
  public record KeyRules(Set<String> ignoredParams, Set<String> keptParams, boolean sortQuery,
      List<String> keyHeaders) {
    public static final KeyRules DEFAULT = new KeyRules(Set.of(), Set.of(), false, List.of());
  }

  private CacheKeys() {
  }

  public static CacheKey of(String scheme, String authority, String pathAndQuery, HeaderFields requestHeaders,
      KeyRules rules) {
    String s = scheme.toLowerCase(Locale.ROOT);
    String url = s + "://" + normalisedAuthority(s, authority) + normalisedPathAndQuery(pathAndQuery, rules);
    String pq = url.substring(url.indexOf('/', s.length() + 3));
    if (rules.keyHeaders().isEmpty()) {
      return new CacheKey(url, pq, url);
    }
    StringBuilder sb = new StringBuilder(url).append(HEADER_SEPARATOR);
    for (String h : rules.keyHeaders()) {
      String lower = h.toLowerCase(Locale.ROOT);
      sb.append(lower).append('=').append(Vary.normalised(lower, requestHeaders.all(h))).append('\u001e');
    }
    return new CacheKey(url, pq, sb.toString());
  }

  /** The URL part of a primary key. */
  public static String urlOf(String primary) {
    int i = primary.indexOf(HEADER_SEPARATOR);
    return i < 0 ? primary : primary.substring(0, i);
  }

  /** The path and query of an absolute URL (or the input when it is already a path). */
  public static String pathAndQueryOf(String url) {
    int schemeEnd = url.indexOf("://");
    if (schemeEnd < 0) {
      return url;
    }
    int slash = url.indexOf('/', schemeEnd + 3);
    if (slash < 0) {
      int q = url.indexOf('?', schemeEnd + 3);
      return q < 0 ? "/" : "/" + url.substring(q);
    }
    return url.substring(slash);
  }

  public static String normalisedAuthority(String scheme, String authority) {
    String a = authority == null ? "" : authority.toLowerCase(Locale.ROOT);
    if (("http".equals(scheme) && a.endsWith(":80")) || ("https".equals(scheme) && a.endsWith(":443"))) {
      a = a.substring(0, a.lastIndexOf(':'));
    }
    return a;
  }

  static String normalisedPathAndQuery(String pathAndQuery, KeyRules rules) {
    String pq = pathAndQuery == null || pathAndQuery.isEmpty() ? "/" : pathAndQuery;
    int hash = pq.indexOf('#');
    if (hash >= 0) {
      pq = pq.substring(0, hash);
    }
    if (!pq.startsWith("/")) {
      pq = "/" + pq;
    }
    int q = pq.indexOf('?');
    if (q < 0) {
      return pq;
    }
    String path = pq.substring(0, q);
    String query = pq.substring(q + 1);
    if (rules.ignoredParams().isEmpty() && rules.keptParams().isEmpty() && !rules.sortQuery()) {
      return pq;
    }
    List<String> params = new ArrayList<>();
    for (String p : query.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      if (rules.ignoredParams().contains(name)) {
        continue;
      }
      if (!rules.keptParams().isEmpty() && !rules.keptParams().contains(name)) {
        continue;
      }
      params.add(p);
    }
    if (rules.sortQuery()) {
      params.sort(Comparator.comparing(p -> p.indexOf('=') < 0 ? p : p.substring(0, p.indexOf('='))));
    }
    return params.isEmpty() ? path : path + "?" + String.join("&", params);
  }
}
