package io.sidecar.proxy.http1;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Byte classes and small helpers shared by the HTTP/1.1 head parsers. All indices are absolute. */
final class HttpBytes {
  static final byte CR = '\r';
  static final byte LF = '\n';
  static final byte SP = ' ';
  static final byte HTAB = '\t';

  /** RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. */
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
    for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
    for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
  }

  private HttpBytes() {}

  static boolean isTchar(byte b) {
    return b >= 0 && TCHAR[b];
  }

  static boolean isOws(byte b) {
    return b == SP || b == HTAB;
  }

  static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /**
   * RFC 9110 §5.5: field-value bytes are HTAB, SP, VCHAR and obs-text (0x80-0xFF, negative as a Java byte).
   * NUL, CR, LF, the other CTLs and DEL are not.
   */
  static boolean isFieldValueByte(byte b) {
    return b < 0 || (b >= 0x20 && b != 0x7F) || b == HTAB;
  }

  static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }

  /** ASCII case-insensitive comparison of buf[start, end) with {@code name}. */
  static boolean equalsIgnoreCase(ByteBuf buf, int start, int end, String name) {
    int length = name.length();
    if (end - start != length) return false;
    for (int i = 0; i < length; i++) {
      if (lower(buf.getByte(start + i)) != lower(name.charAt(i))) return false;
    }
    return true;
  }

  /** Case-sensitive comparison of buf[start, start + text.length()) with {@code text}. */
  static boolean equalsExact(ByteBuf buf, int start, String text) {
    for (int i = 0; i < text.length(); i++) {
      if (buf.getByte(start + i) != text.charAt(i)) return false;
    }
    return true;
  }

  static int skipOws(ByteBuf buf, int start, int end) {
    while (start < end && isOws(buf.getByte(start))) start++;
    return start;
  }

  static int trimOwsEnd(ByteBuf buf, int start, int end) {
    while (end > start && isOws(buf.getByte(end - 1))) end--;
    return end;
  }

  /** Value of 1 to {@code maxDigits} ASCII digits in buf[start, end), or -1 when that is not what it holds. */
  static long digits(ByteBuf buf, int start, int end, int maxDigits) {
    int length = end - start;
    if (length < 1 || length > maxDigits) return -1;
    long value = 0;
    for (int i = start; i < end; i++) {
      byte b = buf.getByte(i);
      if (!isDigit(b)) return -1;
      value = value * 10 + (b - '0');
    }
    return value;
  }

  /** buf[start, end) as a String, one char per byte (ISO-8859-1 keeps obs-text bytes intact). */
  static String string(ByteBuf buf, int start, int end) {
    return buf.toString(start, end - start, StandardCharsets.ISO_8859_1);
  }
}
