package io.sidecar.cache.semantics;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP-date parsing and formatting (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime forms. */
public final class HttpDates {

  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter RFC_850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  private HttpDates() {
  }

  /** Epoch millis, or null when the value is not a valid HTTP-date (RFC 9111 §5.3: treat as in the past). */
  public static Long parse(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME}) {
      try {
        ZonedDateTime t = ZonedDateTime.parse(v, f);
        if (f == RFC_850 && t.getYear() > ZonedDateTime.now(ZoneOffset.UTC).getYear() + 50) {
          // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century
          t = t.minusYears(100);
        }
        return t.toInstant().toEpochMilli();
      } catch (DateTimeParseException ignored) {
        // try the next form
      }
    }
    return null;
  }

  public static String format(long epochMillis) {
    return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
  }
}
