package io.sidecar.proxy.http1;

import static io.sidecar.proxy.http1.HttpBytes.CR;
import static io.sidecar.proxy.http1.HttpBytes.LF;
import static io.sidecar.proxy.http1.HttpBytes.SP;
import static io.sidecar.proxy.http1.HttpBytes.equalsExact;
import static io.sidecar.proxy.http1.HttpBytes.equalsIgnoreCase;
import static io.sidecar.proxy.http1.HttpBytes.isDigit;
import static io.sidecar.proxy.http1.HttpBytes.isFieldValueByte;
import static io.sidecar.proxy.http1.HttpBytes.isTchar;
import static io.sidecar.proxy.http1.HttpBytes.skipOws;
import static io.sidecar.proxy.http1.HttpBytes.trimOwsEnd;

import io.netty.buffer.ByteBuf;

/**
 * Byte-level parser of an HTTP/1.x response head from our own upstreams: finds the body framing (RFC 9112 §6.3)
 * and the lines that must not be forwarded downstream (hop-by-hop fields, RFC 9110 §7.6.1).
 *
 * <p>Tolerant where that is unambiguous (bare-LF line ends, a missing reason phrase), strict where framing is
 * concerned. Reusable and not thread-safe; the accessors are valid after COMPLETE until the next {@code parse},
 * and the String ones read the buffer, whose bytes must not have changed by then.
 */
public final class ResponseHeadParser implements DroppedLines {
  public enum Result { INCOMPLETE, COMPLETE, MALFORMED }

  private static final byte OTHER = 0;
  private static final byte CONNECTION = 1;
  /** Fixed hop-by-hop fields other than Connection and Transfer-Encoding. */
  private static final byte HOP_BY_HOP = 2;
  private static final byte VIA = 3;
  private static final byte CONTENT_LENGTH = 4;
  private static final byte TRANSFER_ENCODING = 5;
  /** Hop-by-hop too, but its timeout parameter is read ({@link KeepAliveField}). */
  private static final byte KEEP_ALIVE = 6;
  private static final int MAX_CONTENT_LENGTH_DIGITS = 18;

  private final int maxHeadBytes;
  private final FieldTable fields = new FieldTable(32);
  private final LineSpans connectionOptions = new LineSpans(4);
  private final LineSpans dropped = new LineSpans(8);
  private final ListElements elements = new ListElements();

  private ByteBuf buf;
  private int base;
  private int headLength;
  private int status;
  private boolean http10;
  private boolean contentLengthSeen;
  private long contentLengthValue;
  private boolean transferEncodingSeen;
  private int chunkedCodings;
  private int codings;
  private boolean finalCodingChunked;
  private boolean closeOption;
  private boolean keepAliveOption;
  private long keepAliveTimeoutSeconds;
  private boolean chunked;
  private boolean closeDelimited;
  private boolean persistent;
  private int viaCount;
  private String via;
  private boolean bareLineEnds;
  /** Set before parsing: the body goes downstream decoded from chunked, so the Transfer-Encoding line is dropped. */
  private boolean unchunked;
  /** Set before parsing: fields a route's response rules remove or replace, also dropped; null for none. */
  private FieldNames alsoDropped;

  public ResponseHeadParser(int maxHeadBytes) {
    if (maxHeadBytes < 16) throw new IllegalArgumentException("maxHeadBytes too small: " + maxHeadBytes);
    this.maxHeadBytes = maxHeadBytes;
  }

  /**
   * Parses the head at buf.readerIndex(); indices untouched. INCOMPLETE until the blank line; MALFORMED when
   * maxHeadBytes are readable without one, or as soon as a complete line is malformed.
   */
  public Result parse(ByteBuf buf) {
    reset(buf);
    int start = buf.readerIndex();
    int readable = buf.readableBytes();
    int limit = start + Math.min(readable, maxHeadBytes);
    int lf = buf.indexOf(start, limit, LF);
    if (lf < 0) return incomplete(readable);
    int statusEnd = lineEnd(buf, start, lf);
    if (!statusLine(buf, start, statusEnd)) return Result.MALFORMED;
    bareLineEnds = statusEnd == lf;

    int lineStart = lf + 1;
    while (true) {
      lf = buf.indexOf(lineStart, limit, LF);
      if (lf < 0) return incomplete(readable);
      int end = lineEnd(buf, lineStart, lf);
      bareLineEnds |= end == lf;
      if (end == lineStart) break; // the empty line ending the head
      if (!fieldLine(buf, lineStart, end, lf + 1)) return Result.MALFORMED;
      lineStart = lf + 1;
    }
    headLength = lf + 1 - start;
    return framing() ? Result.COMPLETE : Result.MALFORMED;
  }

  private Result incomplete(int readable) {
    return readable >= maxHeadBytes ? Result.MALFORMED : Result.INCOMPLETE;
  }

  /** RFC 9112 §2.2: a recipient MAY treat a bare LF as a line terminator; a CR before the LF is stripped. */
  private static int lineEnd(ByteBuf buf, int lineStart, int lf) {
    return lf > lineStart && buf.getByte(lf - 1) == CR ? lf - 1 : lf;
  }

  private void reset(ByteBuf buf) {
    this.buf = buf;
    base = buf.readerIndex();
    headLength = 0;
    status = 0;
    http10 = false;
    contentLengthSeen = false;
    contentLengthValue = -1;
    transferEncodingSeen = false;
    chunkedCodings = 0;
    codings = 0;
    finalCodingChunked = false;
    closeOption = false;
    keepAliveOption = false;
    keepAliveTimeoutSeconds = -1;
    chunked = false;
    closeDelimited = false;
    persistent = false;
    viaCount = 0;
    via = null;
    bareLineEnds = false;
    fields.clear();
    connectionOptions.clear();
    dropped.clear();
  }

  /** RFC 9112 §4: {@code HTTP-version SP 3DIGIT SP [ reason-phrase ]}; the SP before an empty reason may be absent. */
  private boolean statusLine(ByteBuf buf, int start, int end) {
    if (end - start < 12 || !equalsExact(buf, start, "HTTP/1.")) return false;
    byte minor = buf.getByte(start + 7);
    if (minor != '1' && minor != '0') return false;
    http10 = minor == '0';
    if (buf.getByte(start + 8) != SP) return false;
    byte d1 = buf.getByte(start + 9);
    byte d2 = buf.getByte(start + 10);
    byte d3 = buf.getByte(start + 11);
    if (d1 < '1' || d1 > '5' || !isDigit(d2) || !isDigit(d3)) return false;
    status = (d1 - '0') * 100 + (d2 - '0') * 10 + (d3 - '0');
    if (end == start + 12) return true;
    if (buf.getByte(start + 12) != SP) return false;
    for (int i = start + 13; i < end; i++) {
      if (!isFieldValueByte(buf.getByte(i))) return false; // reason-phrase: HTAB / SP / VCHAR / obs-text
    }
    return true;
  }

  /** RFC 9112 §5: no whitespace before the colon (§5.1), no obs-fold (§5.2); value bytes per RFC 9110 §5.5. */
  private boolean fieldLine(ByteBuf buf, int start, int end, int next) {
    int i = start;
    while (i < end && isTchar(buf.getByte(i))) i++;
    if (i == start || i >= end || buf.getByte(i) != ':') return false;
    int nameEnd = i;
    for (int j = nameEnd + 1; j < end; j++) {
      if (!isFieldValueByte(buf.getByte(j))) return false;
    }
    int value = skipOws(buf, nameEnd + 1, end);
    int valueEnd = trimOwsEnd(buf, value, end);
    byte kind = kind(buf, start, nameEnd);
    switch (kind) {
      case CONTENT_LENGTH:
        if (!contentLength(buf, value, valueEnd)) return false;
        break;
      case TRANSFER_ENCODING:
        if (!transferEncoding(buf, value, valueEnd)) return false;
        break;
      case CONNECTION:
        if (!connection(buf, value, valueEnd)) return false;
        break;
      case VIA:
        viaCount++;
        break;
      case KEEP_ALIVE: {
        long seconds = KeepAliveField.timeoutSeconds(buf, value, valueEnd);
        if (seconds >= 0) keepAliveTimeoutSeconds = seconds;
        break;
      }
      default:
        break;
    }
    fields.add(start, nameEnd, value, valueEnd, next, kind);
    return true;
  }

  private static byte kind(ByteBuf buf, int name, int nameEnd) {
    switch (nameEnd - name) {
      case 2:
        return equalsIgnoreCase(buf, name, nameEnd, "te") ? HOP_BY_HOP : OTHER;
      case 3:
        return equalsIgnoreCase(buf, name, nameEnd, "via") ? VIA : OTHER;
      case 7:
        return equalsIgnoreCase(buf, name, nameEnd, "trailer") || equalsIgnoreCase(buf, name, nameEnd, "upgrade")
            ? HOP_BY_HOP : OTHER;
      case 10:
        if (equalsIgnoreCase(buf, name, nameEnd, "connection")) return CONNECTION;
        return equalsIgnoreCase(buf, name, nameEnd, "keep-alive") ? KEEP_ALIVE : OTHER;
      case 14:
        return equalsIgnoreCase(buf, name, nameEnd, "content-length") ? CONTENT_LENGTH : OTHER;
      case 16:
        return equalsIgnoreCase(buf, name, nameEnd, "proxy-connection") ? HOP_BY_HOP : OTHER;
      case 17:
        return equalsIgnoreCase(buf, name, nameEnd, "transfer-encoding") ? TRANSFER_ENCODING : OTHER;
      case 18:
        return equalsIgnoreCase(buf, name, nameEnd, "proxy-authenticate") ? HOP_BY_HOP : OTHER;
      case 19:
        return equalsIgnoreCase(buf, name, nameEnd, "proxy-authorization") ? HOP_BY_HOP : OTHER;
      default:
        return OTHER;
    }
  }

  /** RFC 9112 §6.3 item 5: repeated Content-Length fields must agree; digits only. */
  private boolean contentLength(ByteBuf buf, int start, int end) {
    long value = HttpBytes.digits(buf, start, end, MAX_CONTENT_LENGTH_DIGITS);
    if (value < 0 || (contentLengthSeen && value != contentLengthValue)) return false;
    contentLengthSeen = true;
    contentLengthValue = value;
    return true;
  }

  /**
   * RFC 9112 §6.1: {@code #transfer-coding}, each a token with optional ";" parameters. Several fields form one
   * list; the final coding decides the framing. Chunked applied twice is an error.
   */
  private boolean transferEncoding(ByteBuf buf, int start, int end) {
    transferEncodingSeen = true;
    elements.reset(buf, start, end);
    while (elements.next()) {
      int s = elements.start();
      int e = elements.end();
      int n = s;
      while (n < e && isTchar(buf.getByte(n))) n++;
      if (n == s) return false;
      int after = skipOws(buf, n, e);
      if (after < e && buf.getByte(after) != ';') return false;
      codings++;
      boolean isChunked = equalsIgnoreCase(buf, s, n, "chunked");
      if (isChunked && ++chunkedCodings > 1) return false;
      finalCodingChunked = isChunked;
    }
    return true;
  }

  /** RFC 9110 §7.6.1: Connection options are tokens; besides close / keep-alive they name fields to drop. */
  private boolean connection(ByteBuf buf, int start, int end) {
    elements.reset(buf, start, end);
    while (elements.next()) {
      int s = elements.start();
      int e = elements.end();
      for (int j = s; j < e; j++) {
        if (!isTchar(buf.getByte(j))) return false;
      }
      if (equalsIgnoreCase(buf, s, e, "close")) {
        closeOption = true;
      } else if (equalsIgnoreCase(buf, s, e, "keep-alive")) {
        keepAliveOption = true;
      } else {
        connectionOptions.add(s, e);
      }
    }
    return true;
  }

  /** Body framing (RFC 9112 §6.3), connection persistence (§9.3) and the dropped lines. */
  private boolean framing() {
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty.
    if (transferEncodingSeen && http10) return false;
    chunked = transferEncodingSeen && finalCodingChunked;
    closeDelimited = transferEncodingSeen ? !chunked : !contentLengthSeen;
    persistent = http10 ? keepAliveOption && !closeOption : !closeOption;
    // §6.3 item 3: CL together with TE may be a smuggling attempt; CL is dropped and the connection not reused.
    if (transferEncodingSeen && contentLengthSeen) persistent = false;

    boolean lengthKept = false;
    for (int i = 0; i < fields.size(); i++) {
      if (drop(i, lengthKept)) dropped.add(fields.lineStart(i), fields.lineEnd(i));
      else if (fields.kind(i) == CONTENT_LENGTH) lengthKept = true;
    }
    return true;
  }

  /**
   * Whether field {@code i} stays out of the forwarded head; {@code lengthKept}: an earlier Content-Length line is
   * forwarded. RFC 9110 §8.6: a sender must not send Content-Length or Transfer-Encoding in a 1xx or 204, and a
   * Content-Length repeated with the same value goes on as one field (nginx answers it 502; a client that counts
   * Content-Length lines, as Node's parser does, would reject the response).
   */
  private boolean drop(int i, boolean lengthKept) {
    boolean noContent = status < 200 || status == 204;
    switch (fields.kind(i)) {
      case CONNECTION:
      case HOP_BY_HOP:
      case KEEP_ALIVE:
      case VIA:
        return true;
      case CONTENT_LENGTH:
        return transferEncodingSeen || noContent || lengthKept;
      case TRANSFER_ENCODING:
        // a chunked body is forwarded still chunked, with its Transfer-Encoding line, unless it is decoded
        return !chunked || noContent || unchunked;
      default:
        // Fields named by Connection. Framing fields are never dropped this way (they are not OTHER): the
        // forwarded head must keep describing the forwarded body.
        for (int t = 0; t < connectionOptions.size(); t++) {
          if (sameName(fields.lineStart(i), fields.nameEnd(i), connectionOptions.start(t), connectionOptions.end(t))) {
            return true;
          }
        }
        return alsoDropped != null && alsoDropped.matches(buf, fields.lineStart(i), fields.nameEnd(i));
    }
  }

  private boolean sameName(int a, int aEnd, int b, int bEnd) {
    if (aEnd - a != bEnd - b) return false;
    for (int k = 0; k < aEnd - a; k++) {
      if (HttpBytes.lower(buf.getByte(a + k)) != HttpBytes.lower(buf.getByte(b + k))) return false;
    }
    return true;
  }

  // ---- accessors, valid after COMPLETE ----

  public int headLength() {
    return headLength;
  }

  public int status() {
    return status;
  }

  /** The status line says HTTP/1.0. */
  public boolean http10() {
    return http10;
  }

  /** Whether a line of the head, the blank one included, ended in a bare LF (RFC 9112 §2.2 lets a recipient take it). */
  public boolean bareLineEnds() {
    return bareLineEnds;
  }

  /** -1 when absent or when Transfer-Encoding is present. */
  public long contentLength() {
    return transferEncodingSeen ? -1 : contentLengthValue;
  }

  /** Transfer-Encoding present and its final coding is chunked. */
  public boolean chunked() {
    return chunked;
  }

  /** Transfer-Encoding is exactly "chunked": decoding the chunks leaves the body itself. */
  public boolean onlyChunked() {
    return chunked && codings == 1;
  }

  /**
   * Whether the heads parsed from now on are forwarded for a body decoded from chunked (to an HTTP/1.0 client,
   * which cannot read chunked: RFC 9112 §7.1): then a chunked response's Transfer-Encoding line is dropped too.
   */
  public void unchunked(boolean unchunked) {
    this.unchunked = unchunked;
  }

  /** Fields dropped from the heads parsed from now on besides the hop-by-hop ones (null: none). */
  public void alsoDrop(FieldNames names) {
    this.alsoDropped = names;
  }

  /**
   * No usable length (RFC 9112 §6.3 items 4-8): Transfer-Encoding whose final coding is not chunked, or neither
   * Transfer-Encoding nor Content-Length. Callers ignore this for 1xx, 204, 304 and responses to HEAD.
   */
  public boolean closeDelimited() {
    return closeDelimited;
  }

  /**
   * The upstream connection is reusable after this response (RFC 9112 §9.3): HTTP/1.1 without "close",
   * HTTP/1.0 only with "keep-alive"; false for close-delimited bodies, except for 1xx/204/304 whose status
   * means no body (§6.3 item 1); false too when both Content-Length and Transfer-Encoding were sent. For a
   * response to HEAD (no body whatever the head says) use {@link #persistentConnection()}.
   */
  public boolean keepAlive() {
    return persistent && (!closeDelimited || bodilessStatus());
  }

  /** The {@code timeout} of the upstream's Keep-Alive field in seconds, or -1 when it sent none. */
  public long keepAliveTimeoutSeconds() {
    return keepAliveTimeoutSeconds;
  }

  /** The Connection semantics of {@link #keepAlive()} without the body-framing condition. */
  public boolean persistentConnection() {
    return persistent;
  }

  private boolean bodilessStatus() {
    return status < 200 || status == 204 || status == 304;
  }

  /** First value of the field (trimmed), or null. */
  public String header(String lowerCaseName) {
    checkComplete();
    for (int i = 0; i < fields.size(); i++) {
      if (equalsIgnoreCase(buf, fields.lineStart(i), fields.nameEnd(i), lowerCaseName)) {
        return HttpBytes.string(buf, fields.valueStart(i), fields.valueEnd(i));
      }
    }
    return null;
  }

  /**
   * Lines not to forward downstream: Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade,
   * Proxy-Authenticate, Proxy-Authorization, fields named by a Connection option, Via (the caller adds a merged
   * Via), Content-Length when Transfer-Encoding is present, and Transfer-Encoding unless chunked is final.
   */
  @Override
  public int droppedLines() {
    return dropped.size();
  }

  @Override
  public int droppedLineStart(int i) {
    return dropped.start(i) - base;
  }

  @Override
  public int droppedLineEnd(int i) {
    return dropped.end(i) - base;
  }

  /** Receives a forwarded field: its name in lower case, its value trimmed. */
  public interface FieldSink {
    void field(String lowerCaseName, String value);
  }

  /**
   * The fields that go downstream ({@link #droppedLines} left out), in order, for a client that gets them as
   * fields rather than as the head's bytes (HTTP/2, where names are lower case: RFC 9113 §8.2.1).
   */
  public void forwardedFields(FieldSink sink) {
    checkComplete();
    int next = 0;
    for (int i = 0; i < fields.size(); i++) {
      int start = fields.lineStart(i);
      if (next < dropped.size() && dropped.start(next) == start) {
        next++;
        continue;
      }
      sink.field(HttpBytes.string(buf, start, fields.nameEnd(i)).toLowerCase(java.util.Locale.ROOT),
          HttpBytes.string(buf, fields.valueStart(i), fields.valueEnd(i)));
    }
  }

  /** The upstream's Via value (several Via lines joined with ", "), or null. */
  public String via() {
    if (via == null && viaCount > 0) {
      checkComplete();
      StringBuilder joined = null;
      for (int i = 0; i < fields.size(); i++) {
        if (fields.kind(i) != VIA) continue;
        String value = HttpBytes.string(buf, fields.valueStart(i), fields.valueEnd(i));
        if (viaCount == 1) return via = value;
        if (joined == null) {
          joined = new StringBuilder(value);
        } else {
          joined.append(", ").append(value);
        }
      }
      via = joined.toString();
    }
    return via;
  }

  private void checkComplete() {
    if (headLength == 0) throw new IllegalStateException("no complete head parsed");
  }
}
