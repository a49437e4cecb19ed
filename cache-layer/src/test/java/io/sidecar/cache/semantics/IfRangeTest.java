package io.sidecar.cache.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.cache.semantics.ByteRanges.Kind;
import org.junit.jupiter.api.Test;

/** RFC 9110 §13.1.5 If-Range against a stored response, and the combined Range decision. */
class IfRangeTest {

  private static final long T0 = 1_700_000_000_000L;

  private static StoredResponse stored(int status, String... headers) {
    return new StoredResponse(status, HeaderFields.of(headers), T0, T0);
  }

  @Test
  void entityTagsAreComparedStrongly() {
    StoredResponse strong = stored(200, "ETag", "\"v1\"", "Date", HttpDates.format(T0));
    assertThat(IfRange.matches("\"v1\"", strong)).isTrue();
    assertThat(IfRange.matches(" \"v1\" ", strong)).isTrue();
    assertThat(IfRange.matches("\"v2\"", strong)).isFalse();
    assertThat(IfRange.matches("W/\"v1\"", strong)).isFalse(); // a weak tag never matches
    StoredResponse weak = stored(200, "ETag", "W/\"v1\"");
    assertThat(IfRange.matches("\"v1\"", weak)).isFalse();
    assertThat(IfRange.matches("W/\"v1\"", weak)).isFalse();
    assertThat(IfRange.matches("\"v1\"", stored(200))).isFalse(); // nothing stored to compare with
    assertThat(IfRange.matches("\"v1\", \"v2\"", strong)).isFalse(); // two field lines: not one validator
  }

  @Test
  void datesMatchAStrongLastModifiedExactly() {
    String lm = HttpDates.format(T0 - 60_000);
    StoredResponse s = stored(200, "Last-Modified", lm, "Date", HttpDates.format(T0));
    assertThat(IfRange.matches(lm, s)).isTrue();
    assertThat(IfRange.matches(HttpDates.format(T0 - 59_000), s)).isFalse(); // later than Last-Modified
    assertThat(IfRange.matches(HttpDates.format(T0 - 61_000), s)).isFalse(); // earlier
    assertThat(IfRange.matches("not a date", s)).isFalse();
    // §8.8.2.2: Last-Modified less than one second before Date is weak
    StoredResponse weak = stored(200, "Last-Modified", HttpDates.format(T0), "Date", HttpDates.format(T0));
    assertThat(IfRange.matches(HttpDates.format(T0), weak)).isFalse();
    StoredResponse justStrong = stored(200, "Last-Modified", HttpDates.format(T0 - 1000), "Date",
        HttpDates.format(T0));
    assertThat(IfRange.matches(HttpDates.format(T0 - 1000), justStrong)).isTrue();
    // no Date: strength unknown
    assertThat(IfRange.matches(lm, stored(200, "Last-Modified", lm))).isFalse();
    // a date never matches an ETag-only response
    assertThat(IfRange.matches(lm, stored(200, "ETag", "\"v1\"", "Date", HttpDates.format(T0)))).isFalse();
  }

  @Test
  void decideAppliesTheRangeOnlyToAStored200WithAMatchingIfRange() {
    StoredResponse s = stored(200, "ETag", "\"v1\"", "Date", HttpDates.format(T0));
    assertThat(IfRange.decide(HeaderFields.of("Range", "bytes=0-9"), s, 100).kind()).isEqualTo(Kind.PARTIAL);
    assertThat(IfRange.decide(HeaderFields.of("Range", "bytes=0-9", "If-Range", "\"v1\""), s, 100).kind())
        .isEqualTo(Kind.PARTIAL);
    assertThat(IfRange.decide(HeaderFields.of("Range", "bytes=0-9", "If-Range", "\"v0\""), s, 100).kind())
        .isEqualTo(Kind.FULL);
    // a failed If-Range also turns a 416 into the full response (§13.1.5: ignore Range)
    assertThat(IfRange.decide(HeaderFields.of("Range", "bytes=500-", "If-Range", "\"v0\""), s, 100).kind())
        .isEqualTo(Kind.FULL);
    assertThat(IfRange.decide(HeaderFields.of("If-Range", "\"v1\""), s, 100).kind()).isEqualTo(Kind.FULL);
    StoredResponse notFound = stored(404, "ETag", "\"v1\"");
    assertThat(IfRange.decide(HeaderFields.of("Range", "bytes=0-9"), notFound, 100).kind()).isEqualTo(Kind.FULL);
  }
}
