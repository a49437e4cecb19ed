package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorabilityTest {

  private static String refusal(String method, boolean auth, int status, String... headers) {
    return refusal(RequestDirectives.NONE, method, auth, status, headers);
  }

  private static String refusal(RequestDirectives rd, String method, boolean auth, int status, String... headers) {
    HeaderFields h = HeaderFields.of(headers);
    return Storability.refusal(method, rd, auth, status, h, Directives.parse(h.all("Cache-Control")));
  }

  @Test
  void storesCacheableGetResponses() {
    assertThat(refusal("GET", false, 200, "Cache-Control", "max-age=5")).isNull();
    assertThat(refusal("GET", false, 200)).isNull(); // heuristically cacheable status
    assertThat(refusal("GET", false, 404)).isNull();
    assertThat(refusal("GET", false, 302)).isNotNull(); // needs explicit freshness
    assertThat(refusal("GET", false, 302, "Cache-Control", "max-age=5")).isNull();
    assertThat(refusal("GET", false, 302, "Expires", "Thu, 01 Jan 2099 00:00:00 GMT")).isNull();
    assertThat(refusal("POST", false, 200, "Cache-Control", "max-age=5")).isEqualTo("method");
    assertThat(refusal("GET", false, 206, "Cache-Control", "max-age=5")).isEqualTo("status");
  }

  @Test
  void noStorePrivateAndRequestNoStore() {
    assertThat(refusal("GET", false, 200, "Cache-Control", "no-store")).isEqualTo("no-store");
    assertThat(refusal("GET", false, 200, "Cache-Control", "private, max-age=5")).isEqualTo("private");
    assertThat(refusal("GET", false, 200, "Cache-Control", "private=\"X-User\", max-age=5")).isNull();
    assertThat(refusal(RequestDirectives.of(HeaderFields.of("Cache-Control", "no-store")), "GET", false, 200,
        "Cache-Control", "max-age=5")).isEqualTo("request no-store");
  }

  @Test
  void authorizationRequiresExplicitPermission() {
    assertThat(refusal("GET", true, 200, "Cache-Control", "max-age=5")).isEqualTo("authorization");
    assertThat(refusal("GET", true, 200, "Cache-Control", "public")).isNull();
    assertThat(refusal("GET", true, 200, "Cache-Control", "s-maxage=5")).isNull();
    assertThat(refusal("GET", true, 200, "Cache-Control", "must-revalidate, max-age=5")).isNull();
  }

  @Test
  void varyStarAndMustUnderstand() {
    assertThat(refusal("GET", false, 200, "Cache-Control", "max-age=5", "Vary", "Accept, *")).isEqualTo("vary *");
    assertThat(refusal("GET", false, 200, "Cache-Control", "must-understand, no-store, max-age=5")).isNull();
    assertThat(refusal("GET", false, 299, "Cache-Control", "must-understand, no-store, max-age=5"))
        .isEqualTo("must-understand");
  }
}
