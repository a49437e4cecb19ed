package io.sidecar.proxy.http1;

import io.netty.buffer.ByteBuf;

/** A few lower-case field names, matched against names in a head's bytes (case-insensitively, RFC 9110 §5.1). */
public final class FieldNames {
  private final String[] names;

  /** {@code lowerCaseNames}: tokens, lower-cased. */
  public FieldNames(String... lowerCaseNames) {
    this.names = lowerCaseNames.clone();
  }

  /** Whether {@code buf[start, end)} is one of the names. */
  public boolean matches(ByteBuf buf, int start, int end) {
    for (String name : names) {
      if (end - start == name.length() && HttpBytes.equalsIgnoreCase(buf, start, end, name)) return true;
    }
    return false;
  }

  /** Whether every char of {@code value} may stand in a field value as it is (no CR, LF, NUL or other CTL). */
  public static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c > 0xFF || !HttpBytes.isFieldValueByte((byte) c)) return false;
    }
    return true;
  }
}
