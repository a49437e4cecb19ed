package io.sidecar.proxy.http1;

import static io.sidecar.proxy.http1.HttpBytes.CR;
import static io.sidecar.proxy.http1.HttpBytes.LF;
import static io.sidecar.proxy.http1.HttpBytes.SP;
import static io.sidecar.proxy.http1.HttpBytes.isDigit;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP-version of a request line that the byte-level parser did not take, judged as RFC 9112 §2.3 and RFC 9110
 * §6.2 / §15.6.6 ask, before the request goes on to Vert.x. Vert.x answers any version but HTTP/1.0 and HTTP/1.1 with
 * 501 and echoes the client's version in its status line ({@code HTTP/1.2 501}); nginx and HAProxy serve HTTP/1.2 as
 * HTTP/1.1, answer HTTP/2.0 on an HTTP/1 connection with 505, and a version outside the grammar with 400.
 */
public final class RequestLineVersion {
  public enum Verdict {
    /** HTTP/1.0, HTTP/1.1, or no version to judge (not a whole line yet, HTTP/0.9, not an HTTP request line). */
    AS_IS,
    /** HTTP/1.2 to HTTP/1.9: a higher minor version of a major we implement, processed as HTTP/1.1 (RFC 9112 §2.3). */
    LOWER_TO_1_1,
    /** HTTP/2.0 to HTTP/9.9 on an HTTP/1 connection: 505 (RFC 9110 §15.6.6). */
    UNSUPPORTED_MAJOR,
    /** Not "HTTP/" DIGIT "." DIGIT: another name or case ("FTP/1.1", "http/1.1"), or other digits ("HTTP/1.10"): 400. */
    MALFORMED
  }

  private static final String NAME = "HTTP/";
  private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
  /** RFC 9112 §2.2: at least one empty line before the request line may be ignored; more than this is not a request. */
  private static final int MAX_LEADING_EMPTY_LINES = 4;

  private RequestLineVersion() {
  }

  /**
   * The verdict on the first request line of {@code buf}'s readable bytes. A {@link Verdict#LOWER_TO_1_1} version is
   * rewritten to HTTP/1.1 in place (the same length), so the decoder behind serves the request as HTTP/1.1 and
   * answers in HTTP/1.1; nothing else in {@code buf} changes.
   */
  public static Verdict judge(ByteBuf buf) {
    int start = requestLineStart(buf);
    int end = buf.writerIndex();
    int lf = buf.indexOf(start, end, LF);
    if (lf < 0) return Verdict.AS_IS; // not a whole line yet
    int lineEnd = lf > start && buf.getByte(lf - 1) == CR ? lf - 1 : lf;
    int firstSp = buf.indexOf(start, lineEnd, SP);
    if (firstSp < 0) return Verdict.AS_IS;
    int lastSp = lineEnd - 1;
    while (lastSp > firstSp && buf.getByte(lastSp) != SP) lastSp--;
    if (lastSp == firstSp) return Verdict.AS_IS; // one SP only: "GET /" (HTTP/0.9), the decoder's
    int version = lastSp + 1;
    Verdict verdict = verdict(buf, version, lineEnd);
    if (verdict == Verdict.LOWER_TO_1_1) buf.setBytes(version, HTTP_1_1);
    return verdict;
  }

  /** Whether {@code buf}'s readable bytes hold a whole request line (after the empty lines RFC 9112 §2.2 lets pass). */
  public static boolean hasRequestLine(ByteBuf buf) {
    return buf.indexOf(requestLineStart(buf), buf.writerIndex(), LF) >= 0;
  }

  /** Where the request line begins: past up to {@link #MAX_LEADING_EMPTY_LINES} empty lines. */
  private static int requestLineStart(ByteBuf buf) {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    for (int empty = 0; empty < MAX_LEADING_EMPTY_LINES; empty++) {
      if (start < end && buf.getByte(start) == LF) start++;
      else if (start + 1 < end && buf.getByte(start) == CR && buf.getByte(start + 1) == LF) start += 2;
      else break;
    }
    return start;
  }

  private static Verdict verdict(ByteBuf buf, int start, int end) {
    int length = end - start;
    if (length < NAME.length() || !HttpBytes.equalsIgnoreCase(buf, start, start + NAME.length(), NAME)) {
      // Another protocol's name ("FTP/1.1"): Netty's decoder takes any name/DIGITS.DIGITS as a version, and Vert.x
      // answered it 501 with that name in its status line ("FTP/1.1 501"). An empty token is trailing whitespace,
      // which the decoder trims.
      return length == 0 ? Verdict.AS_IS : Verdict.MALFORMED;
    }
    boolean exactName = HttpBytes.equalsExact(buf, start, NAME); // HTTP-name is case-sensitive (RFC 9112 §2.3)
    if (!exactName || length != NAME.length() + 3) return Verdict.MALFORMED;
    byte major = buf.getByte(start + 5);
    byte dot = buf.getByte(start + 6);
    byte minor = buf.getByte(start + 7);
    if (!isDigit(major) || dot != '.' || !isDigit(minor)) return Verdict.MALFORMED;
    return of(major - '0', minor - '0', true);
  }

  /**
   * The verdict on a version the decoder has parsed into numbers: {@code wellFormed} when its text was
   * {@code "HTTP/" DIGIT "." DIGIT} exactly (a decoder that upper-cases the name or reads "01" as 1 cannot say).
   */
  public static Verdict of(int major, int minor, boolean wellFormed) {
    if (major < 0 || major > 9 || minor < 0 || minor > 9) return Verdict.MALFORMED;
    if (major == 1) {
      if (minor >= 2) return Verdict.LOWER_TO_1_1;
      return wellFormed ? Verdict.AS_IS : Verdict.MALFORMED;
    }
    return major == 0 ? Verdict.MALFORMED : Verdict.UNSUPPORTED_MAJOR;
  }
}
