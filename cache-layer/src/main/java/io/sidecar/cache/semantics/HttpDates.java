package io.sidecar.cache.semantics;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/** HTTP-date parsing and formatting (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime forms. */
public final class HttpDates {

  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  /**
   * Day names are not checked against the date (recipients are lenient, RFC 9110 §5.6.7). Parsing ignores case:
   * RFC 9111 §4.2 asks a cache to match HTTP-dates case-insensitively ("AUG", "gmt").
   */
  private static final DateTimeFormatter IMF_NO_DAY = lenientCase("dd MMM yyyy HH:mm:ss 'GMT'");
  /** RFC 850 two-digit years: RFC 9110 §5.6.7 reads a year more than 50 years ahead as the past century. */
  private static final DateTimeFormatter RFC_850_NO_DAY = new DateTimeFormatterBuilder().parseCaseInsensitive()
      .appendPattern("dd-MMM-").appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.now(ZoneOffset.UTC).minusYears(49))
      .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ASCTIME_NO_DAY = lenientCase("MMM ppd HH:mm:ss yyyy");

  private HttpDates() {
  }

  private static DateTimeFormatter lenientCase(String pattern) {
    return new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(pattern).toFormatter(Locale.US)
        .withZone(ZoneOffset.UTC);
  }

  /** Epoch millis, or null when the value is not a valid HTTP-date (RFC 9111 §5.3: treat as in the past). */
  public static Long parse(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    int comma = v.indexOf(", ");
    try {
      if (comma > 0) {
        String rest = v.substring(comma + 2);
        return ZonedDateTime.parse(rest, rest.indexOf('-') > 0 ? RFC_850_NO_DAY : IMF_NO_DAY).toInstant()
            .toEpochMilli();
      }
      int space = v.indexOf(' ');
      if (space > 0) {
        return ZonedDateTime.parse(v.substring(space + 1), ASCTIME_NO_DAY).toInstant().toEpochMilli();
      }
    } catch (DateTimeParseException ignored) {
      // not an HTTP-date
    }
    return null;
  }

  public static String format(long epochMillis) {
    return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
  }
}
