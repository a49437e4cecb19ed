package io.sidecar.cache.semantics;

/**
 * Whether a stored response may answer a request (RFC 9111 §4, §4.2.4, §5.2; RFC 5861).
 *
 * <p>Stale responses are never served when the response forbids it explicitly (must-revalidate,
 * proxy-revalidate, unqualified no-cache). {@code s-maxage} implies proxy-revalidate (RFC 9111 §5.2.2.10),
 * but an explicit {@code stale-while-revalidate}/{@code stale-if-error} on the same response is taken as the
 * origin's stated permission and honoured, as CDNs do.
 */
public final class ServeDecision {

  public enum Action {
    /** Fresh and acceptable: answer from cache. */
    SERVE,
    /** Stale but the client accepts it (max-stale). */
    SERVE_STALE,
    /** Stale within stale-while-revalidate: answer now, refresh in the background. */
    SERVE_STALE_AND_REVALIDATE,
    /** Must be validated with the origin first. */
    REVALIDATE,
    /** only-if-cached and nothing usable: 504 (RFC 9111 §5.2.1.7). */
    GATEWAY_TIMEOUT
  }

  private ServeDecision() {
  }

  /**
   * @param lifetimeMillis freshness lifetime of the stored response
   * @param ageMillis its current age
   */
  public static Action decide(RequestDirectives req, Directives cc, long lifetimeMillis, long ageMillis) {
    Action a = decideIgnoringOnlyIfCached(req, cc, lifetimeMillis, ageMillis);
    if (req.onlyIfCached() && a == Action.REVALIDATE) {
      return Action.GATEWAY_TIMEOUT;
    }
    return a;
  }

  private static Action decideIgnoringOnlyIfCached(RequestDirectives req, Directives cc, long lifetimeMillis,
      long ageMillis) {
    // RFC 9111 §5.2.1.4 request no-cache / §5.2.2.4 unqualified response no-cache: always validate.
    if (req.noCache() || (cc.has("no-cache") && cc.value("no-cache") == null)) {
      return Action.REVALIDATE;
    }
    long freshLeft = lifetimeMillis - ageMillis;
    // §5.2.1.1 max-age: older than the client accepts
    boolean tooOld = req.maxAgeSeconds() != null && ageMillis > req.maxAgeSeconds() * 1000;
    // §5.2.1.3 min-fresh: must stay fresh for at least that long
    boolean notFreshEnough = req.minFreshSeconds() != null && freshLeft < req.minFreshSeconds() * 1000;
    if (tooOld || notFreshEnough) {
      return Action.REVALIDATE;
    }
    if (freshLeft > 0) {
      return Action.SERVE;
    }
    long staleness = Math.max(0, -freshLeft);
    if (staleForbidden(cc)) {
      return Action.REVALIDATE;
    }
    boolean explicitStalePermission = cc.has("stale-while-revalidate") || cc.has("stale-if-error");
    if (cc.has("s-maxage") && !explicitStalePermission) {
      return Action.REVALIDATE;
    }
    // §5.2.1.2 max-stale: the client accepts this much staleness
    if (req.maxStaleSeconds() != null && staleness <= saturatedMillis(req.maxStaleSeconds())) {
      return Action.SERVE_STALE;
    }
    // RFC 5861 §3 stale-while-revalidate
    Long swr = cc.seconds("stale-while-revalidate");
    if (swr != null && swr != Directives.INVALID && staleness <= swr * 1000) {
      return Action.SERVE_STALE_AND_REVALIDATE;
    }
    return Action.REVALIDATE;
  }

  /**
   * RFC 5861 §4 stale-if-error (response or request directive): may the stale response answer when the
   * origin failed or sent 500/502/503/504?
   */
  public static boolean staleIfErrorAllowed(RequestDirectives req, Directives cc, long lifetimeMillis,
      long ageMillis) {
    if (staleForbidden(cc)) {
      return false;
    }
    long staleness = Math.max(0, ageMillis - lifetimeMillis);
    Long fromResponse = cc.seconds("stale-if-error");
    if (fromResponse != null && fromResponse != Directives.INVALID && staleness <= fromResponse * 1000) {
      return true;
    }
    return req.staleIfErrorSeconds() != null && staleness <= req.staleIfErrorSeconds() * 1000;
  }

  /** RFC 9111 §4.2.4: explicit in-protocol prohibitions of serving stale. */
  public static boolean staleForbidden(Directives cc) {
    return cc.has("must-revalidate") || cc.has("proxy-revalidate")
        || (cc.has("no-cache") && cc.value("no-cache") == null);
  }

  private static long saturatedMillis(long seconds) {
    return seconds >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
  }
}
