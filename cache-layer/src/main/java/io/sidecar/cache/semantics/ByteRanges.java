package io.sidecar.cache.semantics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Byte-range requests answered from a stored complete response (RFC 9110 §14): parses a {@code Range} field
 * and chooses between a single-part 206, a 416 and the full 200.
 *
 * <p>Choices (each allowed by §14.2, which lets a server ignore {@code Range}):
 * <ul>
 *   <li>a field that does not parse, or a unit other than {@code bytes}, is ignored: full 200;</li>
 *   <li>more than one satisfiable range is answered with the full 200 rather than multipart/byteranges;</li>
 *   <li>no satisfiable range is a 416 with {@code Content-Range: bytes *&#47;length} (§15.5.17);</li>
 *   <li>a zero-length representation asked for a suffix range (the only satisfiable form, §14.1.1) gets the
 *       full, empty 200: a 206 cannot express an empty range.</li>
 * </ul>
 */
public final class ByteRanges {

  private ByteRanges() {
  }

  /** What to answer. */
  public enum Kind {
    /** Ignore the Range field: send the full response as stored. */
    FULL,
    /** 206 with one part, {@code first..last} inclusive. */
    PARTIAL,
    /** 416 Range Not Satisfiable. */
    UNSATISFIABLE
  }

  /**
   * @param first first byte position (inclusive; PARTIAL only)
   * @param last last byte position (inclusive, clamped to length - 1; PARTIAL only)
   * @param length the complete representation's length
   */
  public record Decision(Kind kind, long first, long last, long length) {

    public static Decision full(long length) {
      return new Decision(Kind.FULL, 0, length - 1, length);
    }

    /** Bytes in the part (PARTIAL) */
    public long size() {
      return last - first + 1;
    }

    /** The {@code Content-Range} value (§14.4): {@code bytes a-b/len} or, for a 416, {@code bytes *&#47;len}. */
    public String contentRange() {
      return kind == Kind.UNSATISFIABLE ? "bytes */" + length : "bytes " + first + "-" + last + "/" + length;
    }
  }

  /**
   * One range-spec as sent (§14.1.1): {@code first-last}, {@code first-} (last = -1) or the suffix
   * {@code -n} (first = -1, last = n). Positions above {@link Long#MAX_VALUE} saturate.
   */
  public record Spec(long first, long last) {
    boolean suffix() {
      return first < 0;
    }
  }

  /**
   * Decides how to answer a {@code Range} field value for a representation of {@code length} bytes. A null
   * field means no range was asked for (FULL).
   */
  public static Decision decide(String range, long length) {
    List<Spec> specs = parse(range);
    if (specs == null) {
      return Decision.full(length);
    }
    List<long[]> satisfiable = new ArrayList<>(1);
    boolean emptySuffix = false;
    for (Spec s : specs) {
      if (s.suffix()) {
        if (s.last() == 0) {
          continue; // bytes=-0 asks for nothing
        }
        if (length == 0) {
          emptySuffix = true;
          continue;
        }
        satisfiable.add(new long[] {Math.max(0, length - s.last()), length - 1});
      } else if (s.first() < length) {
        long last = s.last() < 0 ? length - 1 : Math.min(s.last(), length - 1);
        satisfiable.add(new long[] {s.first(), last});
      }
    }
    if (satisfiable.size() == 1) {
      long[] r = satisfiable.get(0);
      return new Decision(Kind.PARTIAL, r[0], r[1], length);
    }
    if (satisfiable.size() > 1 || emptySuffix) {
      // §14.2: a server MAY ignore Range; several ranges are answered with the whole representation instead of
      // a multipart/byteranges body (what the client asked for is in it, and clients must accept a 200)
      return Decision.full(length);
    }
    return new Decision(Kind.UNSATISFIABLE, 0, -1, length);
  }

  /**
   * Parses {@code bytes=range-spec, ...} (§14.1.1; the unit ignores case; empty list elements are skipped,
   * §5.6.1). Null when the field is absent, invalid, or of another unit: the caller then ignores it (§14.2).
   */
  public static List<Spec> parse(String range) {
    if (range == null) {
      return null;
    }
    String v = range.trim();
    int eq = v.indexOf('=');
    if (eq < 0 || !v.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
      return null;
    }
    List<Spec> specs = new ArrayList<>();
    for (String element : v.substring(eq + 1).split(",", -1)) {
      String e = element.trim();
      if (e.isEmpty()) {
        continue;
      }
      int dash = e.indexOf('-');
      if (dash < 0 || e.indexOf('-', dash + 1) >= 0) {
        return null;
      }
      String a = e.substring(0, dash);
      String b = e.substring(dash + 1);
      if (a.isEmpty()) {
        long n = digits(b);
        if (n < 0) {
          return null;
        }
        specs.add(new Spec(-1, n));
      } else {
        long first = digits(a);
        long last = b.isEmpty() ? -1 : digits(b);
        if (first < 0 || (!b.isEmpty() && (last < 0 || last < first))) {
          return null; // §14.1.1: an int-range with last-pos < first-pos is invalid
        }
        specs.add(new Spec(first, last));
      }
    }
    return specs.isEmpty() ? null : specs;
  }

  /**
   * The complete length from a 206's {@code Content-Range} (§14.4: {@code bytes first-last/complete-length}),
   * or -1 when absent, unknown ({@code /*}), of another unit or invalid.
   */
  public static long completeLength(String contentRange) {
    if (contentRange == null) {
      return -1;
    }
    String v = contentRange.trim();
    if (v.length() < 6 || !v.substring(0, 6).equalsIgnoreCase("bytes ")) {
      return -1;
    }
    int slash = v.indexOf('/');
    if (slash < 0) {
      return -1;
    }
    String range = v.substring(6, slash).trim();
    int dash = range.indexOf('-');
    if (dash <= 0 || digits(range.substring(0, dash)) < 0 || digits(range.substring(dash + 1)) < 0) {
      return -1;
    }
    long length = digits(v.substring(slash + 1).trim());
    return length == Long.MAX_VALUE ? -1 : length;
  }

  /** 1*DIGIT as a long (saturating at Long.MAX_VALUE), or -1 when not 1*DIGIT. */
  private static long digits(String s) {
    if (s.isEmpty()) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int d = c - '0';
      n = n > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : n * 10 + d;
    }
    return n;
  }
}
