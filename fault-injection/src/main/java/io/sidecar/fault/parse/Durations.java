package io.sidecar.fault.parse;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Duration and size strings as users write them: {@code 250ms}, {@code 1.5s}, {@code 5m}, {@code 1h}; {@code 64KiB}. */
public final class Durations {

  private static final Pattern DURATION = Pattern.compile("\\s*(-?\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)\\s*");
  private static final Pattern SIZE = Pattern.compile("\\s*(\\d+)\\s*(B|KiB|MiB|GiB)?\\s*");

  private Durations() {}

  /** Parses a duration; throws IllegalArgumentException with a user-facing message. Negative values parse (callers reject them). */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (a number with a unit: ms, s, m, h; e.g. 250ms)");
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    BigDecimal nanosPerUnit =
        switch (m.group(2)) {
          case "ms" -> BigDecimal.valueOf(1_000_000L);
          case "s" -> BigDecimal.valueOf(1_000_000_000L);
          case "m" -> BigDecimal.valueOf(60_000_000_000L);
          default -> BigDecimal.valueOf(3_600_000_000_000L);
        };
    return Duration.ofNanos(amount.multiply(nanosPerUnit).longValue());
  }

  /** Bytes from {@code 1024}, {@code "1024"}, {@code "64KiB"}, {@code "1MiB"}. */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size (bytes, or a number with B, KiB, MiB, GiB)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    return switch (unit) {
      case "KiB" -> n << 10;
      case "MiB" -> n << 20;
      case "GiB" -> n << 30;
      default -> n;
    };
  }

  /** Formats a duration back into the input syntax, e.g. {@code 200ms}, {@code 5s}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 3_600_000_000_000L == 0 && nanos != 0) return nanos / 3_600_000_000_000L + "h";
    if (nanos % 60_000_000_000L == 0 && nanos != 0) return nanos / 60_000_000_000L + "m";
    if (nanos % 1_000_000_000L == 0 && nanos != 0) return nanos / 1_000_000_000L + "s";
    if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
    return BigDecimal.valueOf(nanos).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
  }
}
