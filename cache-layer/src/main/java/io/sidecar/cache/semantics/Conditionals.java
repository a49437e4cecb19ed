package io.sidecar.cache.semantics;

import java.util.List;

/**
 * Evaluates a client's own conditional GET/HEAD against a stored response (RFC 9110 §13.1.2, §13.1.3,
 * precedence §13.2.2; RFC 9111 §4.3.2), so the cache can answer 304 itself.
 */
public final class Conditionals {

  private Conditionals() {
  }

  /** Does the request carry a precondition this cache evaluates for GET/HEAD? */
  public static boolean isConditional(HeaderFields request) {
    return request.contains("If-None-Match") || request.contains("If-Modified-Since");
  }

  /** True when the stored response is "not modified" for this request's preconditions. */
  public static boolean notModified(HeaderFields request, StoredResponse stored) {
    List<String> inm = request.listElements("If-None-Match");
    if (!inm.isEmpty()) {
      String etag = stored.headers().first("ETag");
      for (String tag : inm) {
        if (tag.equals("*") || (etag != null && weakEquals(tag, etag.trim()))) {
          return true;
        }
      }
      return false; // §13.2.2: If-Modified-Since is ignored when If-None-Match is present
    }
    String ims = request.first("If-Modified-Since");
    if (ims != null) {
      Long since = HttpDates.parse(ims);
      if (since == null) {
        return false; // invalid date: ignore the precondition
      }
      // RFC 9111 §4.3.2: Last-Modified, else Date, else the time the response was received
      Long lastModified = HttpDates.parse(stored.headers().first("Last-Modified"));
      long reference = lastModified != null ? lastModified : Freshness.dateValue(stored);
      return reference <= since;
    }
    return false;
  }

  /** RFC 9110 §8.8.3.2 weak comparison: opaque tags equal, W/ ignored. */
  public static boolean weakEquals(String a, String b) {
    return opaque(a).equals(opaque(b));
  }

  /** RFC 9110 §8.8.3.2 strong comparison: both strong and opaque tags equal. */
  public static boolean strongEquals(String a, String b) {
    return !isWeak(a) && !isWeak(b) && a.trim().equals(b.trim());
  }

  public static boolean isWeak(String tag) {
    return tag.trim().startsWith("W/");
  }

  private static String opaque(String tag) {
    String t = tag.trim();
    return t.startsWith("W/") ? t.substring(2) : t;
  }
}
