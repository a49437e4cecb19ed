package io.sidecar.cache;

import io.sidecar.cache.semantics.AdaptiveTtl;
import io.sidecar.cache.semantics.Directives;
import io.sidecar.cache.semantics.Freshness;
import io.sidecar.cache.semantics.HeaderFields;
import io.sidecar.cache.semantics.ResponseDirectives;
import io.sidecar.cache.semantics.StoredResponse;
import io.sidecar.cache.store.StoredEntry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Freshness of stored entries for {@link HttpCache}: their effective directives, age and lifetime (RFC 9111 §4.2,
 * computed by {@link Freshness} and remembered on the entry where they cannot change), how long to keep them, and
 * the adaptive heuristic TTL learnt per route and key prefix from validations.
 */
final class EntryFreshness {
  private final CacheConfig config;
  private final Map<String, AdaptiveTtl> adaptiveByRoute = new ConcurrentHashMap<>();

  EntryFreshness(CacheConfig config) {
    this.config = config;
  }

  Directives directives(HeaderFields responseHeaders) {
    return ResponseDirectives.effective(responseHeaders, config.targetedFields());
  }

  Directives directives(StoredEntry entry) {
    Object d = entry.cachedDirectives();
    if (d == null) {
      d = directives(entry.response().headers());
      entry.cacheDirectives(d);
    }
    return (Directives) d;
  }

  static long age(StoredEntry entry, long now) {
    long initial = entry.cachedInitialAge();
    if (initial < 0) {
      initial = Freshness.correctedInitialAge(entry.response());
      entry.cacheInitialAge(initial);
    }
    return initial + Math.max(0, now - entry.response().responseTime());
  }

  Freshness.Lifetime lifetime(StoredEntry entry, Directives cc, CachePolicy policy) {
    Object cached = entry.cachedExplicitLifetime();
    if (cached != null) {
      return (Freshness.Lifetime) cached;
    }
    Freshness.Lifetime l = lifetime(entry.keyUrl(), entry.response(), cc, policy);
    if (l.source() == Freshness.Source.S_MAXAGE || l.source() == Freshness.Source.MAX_AGE
        || l.source() == Freshness.Source.EXPIRES) {
      entry.cacheExplicitLifetime(l); // independent of the route's heuristics
    }
    return l;
  }

  Freshness.Lifetime lifetime(String keyUrl, StoredResponse r, Directives cc, CachePolicy policy) {
    long adaptive = -1;
    if (policy.adaptiveTtl() && policy.heuristic()) {
      adaptive = adaptive(policy).ttlMillis(AdaptiveTtl.prefixOf(keyUrl, config.adaptivePrefixDepth()));
    }
    Freshness.Heuristics h = new Freshness.Heuristics(policy.heuristic(), policy.heuristicFraction(),
        policy.heuristicMax().toMillis(), adaptive, policy.defaultTtl() == null ? -1 : policy.defaultTtl().toMillis());
    return Freshness.lifetime(r, cc, h);
  }

  private AdaptiveTtl adaptive(CachePolicy policy) {
    AdaptiveTtl a = adaptiveByRoute.get(policy.route());
    if (a != null) {
      return a;
    }
    return adaptiveByRoute.computeIfAbsent(policy.route(), r -> new AdaptiveTtl(new AdaptiveTtl.Settings(
        policy.adaptiveMin().toMillis(), policy.adaptiveMax().toMillis(), config.adaptiveTargetStaleness(),
        config.adaptiveMinSamples(), 0.95)));
  }

  /** Feeds the adaptive TTL with a validation outcome of a heuristically fresh entry. */
  void learn(CachePolicy policy, StoredEntry stale, boolean changed, long now) {
    if (!policy.adaptiveTtl() || !policy.heuristic()) {
      return;
    }
    Directives cc = directives(stale.response().headers());
    Freshness.Lifetime explicit = Freshness.lifetime(stale.response(), cc, Freshness.Heuristics.NONE);
    if (explicit.source() != Freshness.Source.NONE) {
      return; // the origin states freshness explicitly: nothing to learn
    }
    adaptive(policy).observe(AdaptiveTtl.prefixOf(stale.keyUrl(), config.adaptivePrefixDepth()), changed,
        now - stale.response().responseTime());
  }

  /**
   * How long to keep an entry (L1 expiry and L2 TTL): its remaining freshness plus a stale window, the larger
   * of the stale-while-revalidate / stale-if-error it allows (RFC 5861) and {@code staleRetention} (stale
   * entries still answer max-stale and stale-if-error requests, and validate cheaply with a 304).
   */
  long storeUntil(StoredResponse r, Directives cc, long lifetime, long now) {
    long freshLeft = lifetime - Freshness.currentAge(r, now);
    long staleWindow = config.staleRetention().toMillis();
    for (String d : new String[] {"stale-while-revalidate", "stale-if-error"}) {
      Long s = cc.seconds(d);
      if (s != null && s != Directives.INVALID) {
        staleWindow = Math.max(staleWindow, s * 1000);
      }
    }
    return now + Math.max(0, freshLeft) + staleWindow;
  }

  /** The learnt TTLs per route and key prefix (for {@code GET /cache/stats}). */
  Map<String, Object> adaptiveSnapshot() {
    Map<String, Object> adaptive = new LinkedHashMap<>();
    adaptiveByRoute.forEach((route, a) -> {
      Map<String, Object> prefixes = new LinkedHashMap<>();
      a.snapshot().forEach((p, est) -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checks", est.checks());
        m.put("changes", est.changes());
        m.put("mean_interval_ms", est.meanIntervalMillis());
        m.put("ttl_ms", est.ttlMillis());
        prefixes.put(p, m);
      });
      adaptive.put(route, prefixes);
    });
    return adaptive;
  }
}
