package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final List<String> TARGETED = List.of("CDN-Cache-Control", "Surrogate-Control");
  private static final Freshness.Heuristics HEURISTICS =
      new Freshness.Heuristics(true, 0.1, 3_600_000, -1, -1);

  private static StoredResponse resp(int status, String... headers) {
    return new StoredResponse(status, HeaderFields.of(headers), T0, T0);
  }

  private static Freshness.Lifetime lifetime(StoredResponse r) {
    return Freshness.lifetime(r, ResponseDirectives.effective(r.headers(), TARGETED), HEURISTICS);
  }

  @Test
  void sMaxAgeBeatsMaxAgeBeatsExpires() {
    StoredResponse r = resp(200, "Cache-Control", "max-age=10, s-maxage=20", "Expires",
        HttpDates.format(T0 + 30_000), "Date", HttpDates.format(T0));
    assertThat(lifetime(r)).isEqualTo(new Freshness.Lifetime(20_000, Freshness.Source.S_MAXAGE));
    StoredResponse m = resp(200, "Cache-Control", "max-age=10", "Expires", HttpDates.format(T0 + 30_000));
    assertThat(lifetime(m).millis()).isEqualTo(10_000);
    StoredResponse e = resp(200, "Expires", HttpDates.format(T0 + 30_000), "Date", HttpDates.format(T0));
    assertThat(lifetime(e)).isEqualTo(new Freshness.Lifetime(30_000, Freshness.Source.EXPIRES));
  }

  @Test
  void invalidExpiresAndInvalidMaxAgeAreStale() {
    assertThat(lifetime(resp(200, "Expires", "0")).millis()).isZero();
    assertThat(lifetime(resp(200, "Cache-Control", "max-age=x")).millis()).isZero();
  }

  @Test
  void heuristicIsTenPercentOfLastModifiedAgeCapped() {
    StoredResponse r = resp(200, "Date", HttpDates.format(T0), "Last-Modified", HttpDates.format(T0 - 100_000));
    assertThat(lifetime(r)).isEqualTo(new Freshness.Lifetime(10_000, Freshness.Source.HEURISTIC));
    StoredResponse old = resp(200, "Date", HttpDates.format(T0), "Last-Modified",
        HttpDates.format(T0 - 365L * 86_400_000));
    assertThat(lifetime(old).millis()).isEqualTo(3_600_000);
    // 302 is not heuristically cacheable, unless public
    assertThat(lifetime(resp(302, "Last-Modified", HttpDates.format(T0 - 100_000))).millis()).isZero();
    assertThat(lifetime(resp(302, "Cache-Control", "public", "Last-Modified", HttpDates.format(T0 - 100_000)))
        .millis()).isEqualTo(10_000);
  }

  @Test
  void defaultTtlAndAdaptiveOnlyWithoutExplicitFreshness() {
    Freshness.Heuristics withDefault = new Freshness.Heuristics(true, 0.1, 3_600_000, -1, 5_000);
    StoredResponse bare = resp(200);
    assertThat(Freshness.lifetime(bare, Directives.NONE, withDefault))
        .isEqualTo(new Freshness.Lifetime(5_000, Freshness.Source.DEFAULT_TTL));
    Freshness.Heuristics adaptive = new Freshness.Heuristics(true, 0.1, 3_600_000, 42_000, 5_000);
    assertThat(Freshness.lifetime(bare, Directives.NONE, adaptive).source()).isEqualTo(Freshness.Source.ADAPTIVE);
    Freshness.Heuristics off = new Freshness.Heuristics(false, 0.1, 3_600_000, 42_000, 5_000);
    assertThat(Freshness.lifetime(bare, Directives.NONE, off).millis()).isZero();
    StoredResponse explicit = resp(200, "Cache-Control", "max-age=7");
    assertThat(Freshness.lifetime(explicit, Directives.parse("max-age=7"), adaptive).millis()).isEqualTo(7_000);
  }

  @Test
  void targetedFieldsReplaceCacheControl() {
    StoredResponse cdn = resp(200, "Cache-Control", "max-age=5", "CDN-Cache-Control", "max-age=50");
    assertThat(lifetime(cdn).millis()).isEqualTo(50_000);
    StoredResponse sc = resp(200, "Cache-Control", "no-store", "Surrogate-Control", "max-age=70;edge, no-store-remote");
    Directives d = ResponseDirectives.effective(sc.headers(), TARGETED);
    assertThat(d.has("no-store")).isFalse();
    assertThat(d.seconds("max-age")).isEqualTo(70L);
    // CDN-Cache-Control comes first in the list
    StoredResponse both = resp(200, "Surrogate-Control", "max-age=70", "CDN-Cache-Control", "max-age=80");
    assertThat(lifetime(both).millis()).isEqualTo(80_000);
  }

  @Test
  void currentAgeFollowsRfc9111Section423() {
    // Date 10 s before the response arrived, Age 5 s, request sent 2 s before the response arrived
    StoredResponse r = new StoredResponse(200, HeaderFields.of("Date", HttpDates.format(T0 - 10_000), "Age", "5"),
        T0 - 2_000, T0);
    // apparent_age = 10, corrected_age_value = 5 + 2 = 7, corrected_initial_age = 10, resident 3 => 13
    assertThat(Freshness.currentAge(r, T0 + 3_000)).isEqualTo(13_000);
    StoredResponse viaAge = new StoredResponse(200, HeaderFields.of("Date", HttpDates.format(T0), "Age", "20"),
        T0 - 1_000, T0);
    assertThat(Freshness.currentAge(viaAge, T0)).isEqualTo(21_000);
  }

  @Test
  void httpDatesAcceptAllThreeForms() {
    long t = HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT");
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT")).isEqualTo(t);
    assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994")).isEqualTo(t);
    assertThat(HttpDates.parse("yesterday")).isNull();
    assertThat(HttpDates.format(t)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
  }
}
