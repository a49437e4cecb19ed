package io.sidecar.cache.semantics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Learns, per key prefix, how often content really changes from revalidation outcomes (a 304 means unchanged,
 * a 200 with a new representation means changed) and derives a heuristic freshness lifetime.
 *
 * <p>Change rate: the improved estimator of Cho and Garcia-Molina, "Estimating Frequency of Change"
 * (ACM TOIT 3(3), 2003, §4): with n checks at mean interval I of which X saw a change,
 * {@code lambda = -ln((n - X + 0.5) / (n + 0.5)) / I}. Changes are a Poisson process, so the probability that
 * content changed within t is {@code 1 - exp(-lambda t)}; the lifetime that keeps that probability at the
 * target p is {@code t = -ln(1 - p) / lambda}, clamped to [min, max]. Observations decay geometrically so the
 * estimate follows content whose change rate drifts.
 */
public final class AdaptiveTtl {

  /**
   * @param targetStaleProbability p above, e.g. 0.1
   * @param minSamples checks needed before a prefix's estimate is used
   * @param decay weight kept by old observations at each new one (0..1], e.g. 0.95
   */
  public record Settings(long minMillis, long maxMillis, double targetStaleProbability, int minSamples,
      double decay) {
    public Settings {
      if (minMillis < 0 || maxMillis < minMillis) {
        throw new IllegalArgumentException("need 0 <= min <= max");
      }
      if (!(targetStaleProbability > 0 && targetStaleProbability < 1)) {
        throw new IllegalArgumentException("targetStaleProbability must be in (0,1)");
      }
      if (!(decay > 0 && decay <= 1)) {
        throw new IllegalArgumentException("decay must be in (0,1]");
      }
    }
  }

  /** What has been learnt about one prefix. */
  public record Estimate(double checks, double changes, double meanIntervalMillis, long ttlMillis) {
  }

  private static final class Observations {
    double n;
    double changes;
    double intervalSum;
    long rawCount;
  }

  private final Settings settings;
  private final Map<String, Observations> byPrefix = new ConcurrentHashMap<>();

  public AdaptiveTtl(Settings settings) {
    this.settings = settings;
  }

  /**
   * @param prefix the key prefix (see {@link #prefixOf})
   * @param changed true when the origin sent a new representation, false on 304
   * @param intervalMillis time since the stored response was last fetched or validated
   */
  public void observe(String prefix, boolean changed, long intervalMillis) {
    if (intervalMillis <= 0) {
      return;
    }
    Observations o = byPrefix.computeIfAbsent(prefix, p -> new Observations());
    synchronized (o) {
      o.n = o.n * settings.decay() + 1;
      o.changes = o.changes * settings.decay() + (changed ? 1 : 0);
      o.intervalSum = o.intervalSum * settings.decay() + intervalMillis;
      o.rawCount++;
    }
  }

  /** The learnt lifetime for a prefix, or -1 while there are fewer than minSamples checks. */
  public long ttlMillis(String prefix) {
    Observations o = byPrefix.get(prefix);
    if (o == null) {
      return -1;
    }
    synchronized (o) {
      return o.rawCount < settings.minSamples() ? -1 : ttl(o);
    }
  }

  private long ttl(Observations o) {
    double meanInterval = o.intervalSum / o.n;
    double lambda = -Math.log((o.n - o.changes + 0.5) / (o.n + 0.5)) / meanInterval;
    if (lambda <= 0) {
      return settings.maxMillis();
    }
    double t = -Math.log(1 - settings.targetStaleProbability()) / lambda;
    return Math.max(settings.minMillis(), Math.min(settings.maxMillis(), (long) t));
  }

  public Map<String, Estimate> snapshot() {
    Map<String, Estimate> out = new TreeMap<>();
    byPrefix.forEach((p, o) -> {
      synchronized (o) {
        out.put(p, new Estimate(o.n, o.changes, o.intervalSum / o.n,
            o.rawCount < settings.minSamples() ? -1 : ttl(o)));
      }
    });
    return out;
  }

  /** {@code http://host/a/b/c} with depth 1 gives {@code http://host/a/}. */
  public static String prefixOf(String url, int depth) {
    int schemeEnd = url.indexOf("://");
    int slash = url.indexOf('/', schemeEnd < 0 ? 0 : schemeEnd + 3);
    if (slash < 0) {
      return url + "/";
    }
    int end = slash;
    for (int d = 0; d < depth; d++) {
      int next = url.indexOf('/', end + 1);
      int q = url.indexOf('?', end + 1);
      if (next < 0 || (q >= 0 && q < next)) {
        break;
      }
      end = next;
    }
    return url.substring(0, end + 1);
  }
}
