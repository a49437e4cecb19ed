package io.sidecar.fault.spec;

/**
 * A condition on one request header (name compared case-insensitively, stored lower-case).
 * {@code value} is the exact value, the prefix or the regex; unused for PRESENT / ABSENT.
 */
public record HeaderMatch(String name, Kind kind, String value) {
  public enum Kind { EXACT, PREFIX, REGEX, PRESENT, ABSENT }
}
