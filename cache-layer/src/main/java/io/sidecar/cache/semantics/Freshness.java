package io.sidecar.cache.semantics;

import java.util.List;
import java.util.Set;

/**
 * Freshness lifetime (RFC 9111 §4.2.1, shared cache) and current age (RFC 9111 §4.2.3).
 */
public final class Freshness {

  /** RFC 9110 §15.1: status codes that are heuristically cacheable. */
  public static final Set<Integer> HEURISTICALLY_CACHEABLE =
      Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

  public enum Source { S_MAXAGE, MAX_AGE, EXPIRES, ADAPTIVE, HEURISTIC, DEFAULT_TTL, NONE }

  public record Lifetime(long millis, Source source) {
    public boolean heuristic() {
      return source == Source.ADAPTIVE || source == Source.HEURISTIC || source == Source.DEFAULT_TTL;
    }
  }

  /**
   * What a route allows for responses without explicit freshness.
   *
   * @param allowed heuristic freshness at all (RFC 9111 §4.2.2 makes it optional)
   * @param fraction of (Date - Last-Modified), 0.1 as suggested by RFC 9111 §4.2.2
   * @param maxMillis cap of the Last-Modified heuristic
   * @param adaptiveMillis learnt lifetime for this key prefix, or -1
   * @param defaultTtlMillis the route's default TTL, or -1
   */
  public record Heuristics(boolean allowed, double fraction, long maxMillis, long adaptiveMillis,
      long defaultTtlMillis) {
    public static final Heuristics NONE = new Heuristics(false, 0, 0, -1, -1);
  }

  private Freshness() {
  }

  public static Lifetime lifetime(StoredResponse r, Directives cc, Heuristics h) {
    // RFC 9111 §4.2.1: s-maxage (shared caches), then max-age, then Expires - Date, then heuristics.
    Long sMaxAge = cc.seconds("s-maxage");
    if (sMaxAge != null) {
      return new Lifetime(sMaxAge == Directives.INVALID ? 0 : sMaxAge * 1000, Source.S_MAXAGE);
    }
    Long maxAge = cc.seconds("max-age");
    if (maxAge != null) {
      return new Lifetime(maxAge == Directives.INVALID ? 0 : maxAge * 1000, Source.MAX_AGE);
    }
    List<String> expires = r.headers().all("Expires");
    if (!expires.isEmpty()) {
      // RFC 9111 §5.3: an invalid Expires (e.g. "0") means already expired.
      Long exp = HttpDates.parse(expires.get(0));
      if (exp == null) {
        return new Lifetime(0, Source.EXPIRES);
      }
      return new Lifetime(Math.max(0, exp - dateValue(r)), Source.EXPIRES);
    }
    if (!h.allowed() || !(HEURISTICALLY_CACHEABLE.contains(r.status()) || cc.has("public"))) {
      return new Lifetime(0, Source.NONE);
    }
    if (h.adaptiveMillis() >= 0) {
      return new Lifetime(h.adaptiveMillis(), Source.ADAPTIVE);
    }
    Long lastModified = HttpDates.parse(r.headers().first("Last-Modified"));
    long date = dateValue(r);
    if (lastModified != null && lastModified < date) {
      // RFC 9111 §4.2.2: "a typical setting of this fraction might be 10%", capped by the route.
      long heuristic = (long) ((date - lastModified) * h.fraction());
      return new Lifetime(Math.min(heuristic, h.maxMillis()), Source.HEURISTIC);
    }
    if (h.defaultTtlMillis() >= 0) {
      return new Lifetime(h.defaultTtlMillis(), Source.DEFAULT_TTL);
    }
    return new Lifetime(0, Source.NONE);
  }

  /** The Date header value, or the response time when Date is absent or invalid. */
  public static long dateValue(StoredResponse r) {
    Long date = HttpDates.parse(r.headers().first("Date"));
    return date == null ? r.responseTime() : date;
  }

  /** RFC 9111 §4.2.3 current_age, in millis. */
  public static long currentAge(StoredResponse r, long now) {
    return correctedInitialAge(r) + Math.max(0, now - r.responseTime());
  }

  /** RFC 9111 §4.2.3 corrected_initial_age (current_age minus resident_time), in millis. */
  public static long correctedInitialAge(StoredResponse r) {
    long ageValue = 0;
    String age = r.headers().first("Age");
    if (age != null) {
      Long s = Directives.parse("a=" + age.trim()).seconds("a");
      ageValue = s == null || s == Directives.INVALID ? 0 : s * 1000;
    }
    long apparentAge = Math.max(0, r.responseTime() - dateValue(r));
    long responseDelay = Math.max(0, r.responseTime() - r.requestTime());
    long correctedAgeValue = ageValue + responseDelay;
    return Math.max(apparentAge, correctedAgeValue);
  }
}
