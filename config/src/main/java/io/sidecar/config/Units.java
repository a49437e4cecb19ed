package io.sidecar.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations ({@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}) and sizes ({@code 512KiB}, {@code 64MiB}, {@code 1GB}). */
public final class Units {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|KiB|MB|MiB|GB|GiB|k|K|M|G)?");

  private Units() {}

  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (use a unit: 250ms, 2s, 5m, 1h)");
    }
    double amount = Double.parseDouble(m.group(1));
    double nanosPerUnit = switch (m.group(2)) {
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      case "h" -> 3600e9;
      default -> 86400e9;
    };
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }

  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size (use a unit: 512KiB, 64MiB, 1GiB)");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    double multiplier = switch (unit) {
      case "KB" -> 1e3;
      case "MB" -> 1e6;
      case "GB" -> 1e9;
      case "KiB", "k", "K" -> 1024d;
      case "MiB", "M" -> 1024d * 1024;
      case "GiB", "G" -> 1024d * 1024 * 1024;
      default -> 1d;
    };
    return Math.round(amount * multiplier);
  }

  /** Renders a duration the way users write it. */
  public static String formatDuration(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 3_600_000_000_000L == 0 && nanos > 0) return nanos / 3_600_000_000_000L + "h";
    if (nanos % 60_000_000_000L == 0 && nanos > 0) return nanos / 60_000_000_000L + "m";
    if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
    if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
    return nanos / 1_000 + "us";
  }
}
