package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Conditionals (client side), revalidation headers, 304 selection and header update. */
class ValidationTest {

  private static final long T0 = 1_700_000_000_000L;

  private static StoredResponse stored(String... headers) {
    return new StoredResponse(200, HeaderFields.of(headers), T0, T0);
  }

  @Test
  void ifNoneMatchUsesWeakComparisonAndWinsOverIfModifiedSince() {
    StoredResponse s = stored("ETag", "W/\"a\"", "Last-Modified", HttpDates.format(T0 - 1000));
    assertThat(Conditionals.notModified(HeaderFields.of("If-None-Match", "\"b\", \"a\""), s)).isTrue();
    assertThat(Conditionals.notModified(HeaderFields.of("If-None-Match", "*"), s)).isTrue();
    assertThat(Conditionals.notModified(HeaderFields.of("If-None-Match", "\"b\"",
        "If-Modified-Since", HttpDates.format(T0)), s)).isFalse();
  }

  @Test
  void ifModifiedSinceUsesLastModifiedThenDate() {
    StoredResponse lm = stored("Last-Modified", HttpDates.format(T0 - 10_000));
    assertThat(Conditionals.notModified(HeaderFields.of("If-Modified-Since", HttpDates.format(T0 - 10_000)), lm))
        .isTrue();
    assertThat(Conditionals.notModified(HeaderFields.of("If-Modified-Since", HttpDates.format(T0 - 20_000)), lm))
        .isFalse();
    StoredResponse dateOnly = stored("Date", HttpDates.format(T0 - 5_000));
    assertThat(Conditionals.notModified(HeaderFields.of("If-Modified-Since", HttpDates.format(T0)), dateOnly))
        .isTrue();
    assertThat(Conditionals.notModified(HeaderFields.of("If-Modified-Since", "garbage"), dateOnly)).isFalse();
  }

  @Test
  void conditionalHeadersFromValidators() {
    StoredResponse s = stored("ETag", "\"x\"", "Last-Modified", HttpDates.format(T0));
    assertThat(Revalidation.conditionalHeaders(s)).containsEntry("If-None-Match", "\"x\"")
        .containsEntry("If-Modified-Since", HttpDates.format(T0));
    assertThat(Revalidation.hasValidators(stored("Cache-Control", "max-age=1"))).isFalse();
  }

  @Test
  void notModifiedSelectsByValidator() {
    StoredResponse s = stored("ETag", "\"x\"");
    assertThat(Revalidation.selects(HeaderFields.of("ETag", "\"x\""), s)).isTrue();
    assertThat(Revalidation.selects(HeaderFields.of("ETag", "\"y\""), s)).isFalse();
    assertThat(Revalidation.selects(HeaderFields.EMPTY, s)).isTrue();
  }

  @Test
  void updateReplacesFieldsExceptContentLengthAndHopByHop() {
    StoredResponse s = new StoredResponse(200, HeaderFields.of("Content-Length", "10", "Cache-Control",
        "max-age=1", "X-A", "old", "X-A", "old2", "Age", "30", "X-Keep", "k"), T0, T0);
    HeaderFields h304 = HeaderFields.of("Cache-Control", "max-age=100", "X-A", "new", "Content-Length", "0",
        "Connection", "close, X-Hop", "X-Hop", "h");
    StoredResponse u = Revalidation.update(s, h304, T0 + 5000, T0 + 6000);
    assertThat(u.headers().first("Content-Length")).isEqualTo("10");
    assertThat(u.headers().all("X-A")).containsExactly("new");
    assertThat(u.headers().first("Cache-Control")).isEqualTo("max-age=100");
    assertThat(u.headers().contains("X-Hop")).isFalse();
    assertThat(u.headers().contains("Connection")).isFalse();
    assertThat(u.headers().contains("Age")).isFalse();
    assertThat(u.headers().first("X-Keep")).isEqualTo("k");
    assertThat(u.responseTime()).isEqualTo(T0 + 6000);
  }

  @Test
  void invalidationTargetsSameOriginLocations() {
    HeaderFields h = HeaderFields.of("Location", "/items/2", "Content-Location", "http://other.test/x");
    assertThat(Invalidation.targets("POST", 201, "http://svc.test/items", h))
        .containsExactly("http://svc.test/items", "http://svc.test/items/2");
    assertThat(Invalidation.targets("PUT", 303, "http://svc.test/a", HeaderFields.of("Location",
        "http://svc.test:80/b"))).containsExactly("http://svc.test/a", "http://svc.test:80/b");
    assertThat(Invalidation.targets("DELETE", 500, "http://svc.test/a", HeaderFields.EMPTY)).isEmpty();
    assertThat(Invalidation.targets("GET", 200, "http://svc.test/a", HeaderFields.EMPTY)).isEmpty();
    assertThat(Invalidation.isUnsafe("PATCH")).isTrue();
    assertThat(Invalidation.isUnsafe("OPTIONS")).isFalse();
  }
}
