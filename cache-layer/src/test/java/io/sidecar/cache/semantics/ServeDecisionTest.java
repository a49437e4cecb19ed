package io.sidecar.cache.semantics;

import static io.sidecar.cache.semantics.ServeDecision.Action.GATEWAY_TIMEOUT;
import static io.sidecar.cache.semantics.ServeDecision.Action.REVALIDATE;
import static io.sidecar.cache.semantics.ServeDecision.Action.SERVE;
import static io.sidecar.cache.semantics.ServeDecision.Action.SERVE_STALE;
import static io.sidecar.cache.semantics.ServeDecision.Action.SERVE_STALE_AND_REVALIDATE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServeDecisionTest {

  private static RequestDirectives req(String... headers) {
    return RequestDirectives.of(HeaderFields.of(headers));
  }

  private static ServeDecision.Action decide(RequestDirectives r, String cc, long lifetimeS, long ageS) {
    return ServeDecision.decide(r, Directives.parse(cc), lifetimeS * 1000, ageS * 1000);
  }

  @Test
  void freshServesStaleRevalidates() {
    assertThat(decide(RequestDirectives.NONE, "max-age=10", 10, 5)).isEqualTo(SERVE);
    assertThat(decide(RequestDirectives.NONE, "max-age=10", 10, 10)).isEqualTo(REVALIDATE);
  }

  @Test
  void requestNoCacheAndPragma() {
    assertThat(decide(req("Cache-Control", "no-cache"), "max-age=10", 10, 1)).isEqualTo(REVALIDATE);
    assertThat(decide(req("Pragma", "no-cache"), "max-age=10", 10, 1)).isEqualTo(REVALIDATE);
    assertThat(decide(req("Pragma", "no-cache", "Cache-Control", "max-age=100"), "max-age=10", 10, 1))
        .isEqualTo(SERVE);
  }

  @Test
  void requestMaxAgeMinFreshMaxStale() {
    assertThat(decide(req("Cache-Control", "max-age=3"), "max-age=10", 10, 5)).isEqualTo(REVALIDATE);
    assertThat(decide(req("Cache-Control", "max-age=6"), "max-age=10", 10, 5)).isEqualTo(SERVE);
    assertThat(decide(req("Cache-Control", "min-fresh=6"), "max-age=10", 10, 5)).isEqualTo(REVALIDATE);
    assertThat(decide(req("Cache-Control", "min-fresh=4"), "max-age=10", 10, 5)).isEqualTo(SERVE);
    assertThat(decide(req("Cache-Control", "max-stale=5"), "max-age=10", 10, 14)).isEqualTo(SERVE_STALE);
    assertThat(decide(req("Cache-Control", "max-stale=5"), "max-age=10", 10, 16)).isEqualTo(REVALIDATE);
    assertThat(decide(req("Cache-Control", "max-stale"), "max-age=10", 10, 100000)).isEqualTo(SERVE_STALE);
  }

  @Test
  void onlyIfCachedGivesGatewayTimeoutInsteadOfContactingOrigin() {
    assertThat(decide(req("Cache-Control", "only-if-cached"), "max-age=10", 10, 20)).isEqualTo(GATEWAY_TIMEOUT);
    assertThat(decide(req("Cache-Control", "only-if-cached"), "max-age=10", 10, 2)).isEqualTo(SERVE);
    assertThat(decide(req("Cache-Control", "only-if-cached, max-stale=100"), "max-age=10", 10, 20))
        .isEqualTo(SERVE_STALE);
  }

  @Test
  void mustRevalidateProxyRevalidateAndNoCacheForbidStale() {
    RequestDirectives maxStale = req("Cache-Control", "max-stale=100");
    assertThat(decide(maxStale, "max-age=10, must-revalidate", 10, 20)).isEqualTo(REVALIDATE);
    assertThat(decide(maxStale, "max-age=10, proxy-revalidate", 10, 20)).isEqualTo(REVALIDATE);
    assertThat(decide(maxStale, "s-maxage=10", 10, 20)).isEqualTo(REVALIDATE);
    assertThat(decide(RequestDirectives.NONE, "no-cache, max-age=100", 100, 1)).isEqualTo(REVALIDATE);
    // qualified no-cache does not force validation (the fields are stripped instead)
    assertThat(decide(RequestDirectives.NONE, "no-cache=\"Set-Cookie\", max-age=100", 100, 1)).isEqualTo(SERVE);
  }

  @Test
  void staleWhileRevalidateWindow() {
    assertThat(decide(RequestDirectives.NONE, "max-age=10, stale-while-revalidate=5", 10, 14))
        .isEqualTo(SERVE_STALE_AND_REVALIDATE);
    assertThat(decide(RequestDirectives.NONE, "max-age=10, stale-while-revalidate=5", 10, 16))
        .isEqualTo(REVALIDATE);
    assertThat(decide(RequestDirectives.NONE, "max-age=10, stale-while-revalidate=5, must-revalidate", 10, 14))
        .isEqualTo(REVALIDATE);
    assertThat(decide(RequestDirectives.NONE, "s-maxage=10, stale-while-revalidate=5", 10, 14))
        .isEqualTo(SERVE_STALE_AND_REVALIDATE);
  }

  @Test
  void staleIfErrorFromResponseOrRequest() {
    Directives cc = Directives.parse("max-age=10, stale-if-error=30");
    assertThat(ServeDecision.staleIfErrorAllowed(RequestDirectives.NONE, cc, 10_000, 35_000)).isTrue();
    assertThat(ServeDecision.staleIfErrorAllowed(RequestDirectives.NONE, cc, 10_000, 45_000)).isFalse();
    Directives plain = Directives.parse("max-age=10");
    assertThat(ServeDecision.staleIfErrorAllowed(RequestDirectives.NONE, plain, 10_000, 12_000)).isFalse();
    assertThat(ServeDecision.staleIfErrorAllowed(req("Cache-Control", "stale-if-error=5"), plain, 10_000, 12_000))
        .isTrue();
    assertThat(ServeDecision.staleIfErrorAllowed(RequestDirectives.NONE,
        Directives.parse("max-age=10, stale-if-error=30, must-revalidate"), 10_000, 12_000)).isFalse();
  }

  @Test
  void requestDirectivesParse() {
    RequestDirectives d = req("Cache-Control", "no-store, max-age=5, min-fresh=2, only-if-cached, stale-if-error=9");
    assertThat(d.noStore()).isTrue();
    assertThat(d.maxAgeSeconds()).isEqualTo(5L);
    assertThat(d.minFreshSeconds()).isEqualTo(2L);
    assertThat(d.onlyIfCached()).isTrue();
    assertThat(d.staleIfErrorSeconds()).isEqualTo(9L);
    assertThat(d.maxStaleSeconds()).isNull();
  }
}
