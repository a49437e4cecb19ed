package io.sidecar.cache.semantics;

/**
 * The {@code If-Range} precondition (RFC 9110 §13.1.5) against a stored response: a range is sent only when the
 * validator matches the stored representation; otherwise the whole representation is (the Range field is
 * ignored).
 */
public final class IfRange {

  private IfRange() {
  }

  /**
   * True when {@code ifRange} (an entity-tag or an HTTP-date) matches {@code stored}. An entity-tag is compared
   * strongly (§8.8.3.2), so a weak tag on either side never matches. A date must equal the stored
   * {@code Last-Modified}, and that must be a strong validator: at least one second before the stored
   * {@code Date} (§8.8.2.2). Anything else, including an invalid value, does not match.
   */
  public static boolean matches(String ifRange, StoredResponse stored) {
    if (ifRange == null) {
      return true;
    }
    String v = ifRange.trim();
    if (v.startsWith("\"") || v.startsWith("W/")) {
      String etag = stored.headers().first("ETag");
      return etag != null && v.length() >= 2 && v.endsWith("\"") && Conditionals.strongEquals(v, etag);
    }
    Long date = HttpDates.parse(v);
    Long lastModified = HttpDates.parse(stored.headers().first("Last-Modified"));
    Long responseDate = HttpDates.parse(stored.headers().first("Date"));
    return date != null && lastModified != null && responseDate != null && date.equals(lastModified)
        && responseDate - lastModified >= 1000;
  }

  /**
   * The answer to a GET carrying {@code Range} (and perhaps {@code If-Range}) from a stored response of
   * {@code length} bytes. Only a stored 200 is sliced; other statuses, a failed If-Range and a request without
   * Range get the full response (§14.2, §13.1.5).
   */
  public static ByteRanges.Decision decide(HeaderFields request, StoredResponse stored, long length) {
    String range = request.combined("Range");
    if (range == null || stored.status() != 200 || !matches(request.combined("If-Range"), stored)) {
      return ByteRanges.Decision.full(length);
    }
    return ByteRanges.decide(range, length);
  }
}
