package io.sidecar.config;

import java.util.regex.Pattern;

/**
 * A condition on one header or query parameter, written as {@code name: {exact: v}}, {@code {prefix: v}},
 * {@code {suffix: v}}, {@code {contains: v}}, {@code {regex: r}}, {@code {present: true|false}}, or just
 * {@code name: v} for exact; {@code invert: true} negates it. Header names compare case-insensitively.
 */
public record ValueMatchSpec(String name, Kind kind, String value, Pattern regex, boolean invert) {
  public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX, PRESENT, ABSENT }

  /** Whether a value (null when the header/parameter is absent) satisfies this condition. */
  public boolean test(String actual) {
    boolean result = switch (kind) {
      case PRESENT -> actual != null;
      case ABSENT -> actual == null;
      case EXACT -> value.equals(actual);
      case PREFIX -> actual != null && actual.startsWith(value);
      case SUFFIX -> actual != null && actual.endsWith(value);
      case CONTAINS -> actual != null && actual.contains(value);
      case REGEX -> actual != null && regex.matcher(actual).matches();
    };
    return result != invert;
  }
}
