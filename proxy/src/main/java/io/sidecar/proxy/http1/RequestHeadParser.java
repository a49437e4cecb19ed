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
import java.util.Locale;

/**
 * Byte-level parser of an HTTP/1.1 (or HTTP/1.0 with Host) request head for the proxy's fast path. It accepts
 * ({@link Result#SIMPLE}) only heads it fully understands; everything else is {@link Result#UNSUPPORTED} and goes to the strict standard
 * decoder. Being conservative is the point: a head two parsers could read differently is a smuggling vector.
 *
 * <p>One instance per connection, reused for every request; not thread-safe. {@link #parse} allocates nothing
 * (except when a head has more than 8 Connection / forwarding lines). The accessors are valid after a SIMPLE
 * result until the next {@code parse}; the String ones read the buffer lazily, so the buffer's bytes must not
 * have changed (or been released) when they are first called.
 */
public final class RequestHeadParser implements DroppedLines {
  public enum Result { INCOMPLETE, SIMPLE, UNSUPPORTED }

  private static final String GET = "GET";
  private static final String HEAD = "HEAD";
  private static final String POST = "POST";
  private static final String PUT = "PUT";
  private static final String DELETE = "DELETE";
  private static final String OPTIONS = "OPTIONS";
  /** Left to the standard decoder's path, which refuses it (a reverse proxy opens no tunnel). */
  private static final String CONNECT = "CONNECT";
  private static final String PATCH = "PATCH";
  private static final String VERSION = "HTTP/1.1";
  private static final String VERSION_1_0 = "HTTP/1.0";
  /** 18 digits always fit a long; longer is rejected rather than risking overflow. */
  private static final int MAX_CONTENT_LENGTH_DIGITS = 18;

  private final int maxHeadBytes;
  private final LineSpans dropped = new LineSpans(8);
  /** {@link #droppedWith}'s lines. */
  private final LineSpans withNames = new LineSpans(8);
  private final ListElements elements = new ListElements();

  // Results of the last parse; indices are absolute in buf.
  private ByteBuf buf;
  private int base;
  private int headLength;
  private int methodEnd;
  private String method;
  private int targetStart;
  private int targetEnd;
  private int queryMark;
  private int headersStart;
  private int hostCount;
  private int hostStart;
  private int hostNameEnd;
  private int hostEnd;
  private int contentLengthCount;
  private long contentLength;
  /** Transfer-Encoding: chunked, alone (RFC 9112 §6.1). */
  private boolean chunked;
  private boolean http10;
  private boolean connectionClose;
  private boolean connectionKeepAlive;
  private boolean expectContinue;
  private int forwardedForCount;
  private int forwardedForStart;
  private int forwardedForEnd;
  private int forwardedProtoCount;
  private int viaCount;
  private int viaStart;
  private int viaEnd;
  private boolean forwardedHost;
  private boolean requestId;

  // Lazily built strings, cached until the next parse.
  private String path;
  private String query;
  private String host;
  private String authority;
  private String forwardedFor;
  private String via;

  public RequestHeadParser(int maxHeadBytes) {
    if (maxHeadBytes < 16) throw new IllegalArgumentException("maxHeadBytes too small: " + maxHeadBytes);
    this.maxHeadBytes = maxHeadBytes;
  }

  /**
   * Parses the head starting at buf.readerIndex(); indices untouched. INCOMPLETE: no blank line yet and fewer
   * than maxHeadBytes readable (beyond that: UNSUPPORTED). A head whose complete lines already break a rule is
   * UNSUPPORTED before its blank line has arrived. Bytes after the head (a body, a pipelined request) are ignored.
   */
  public Result parse(ByteBuf buf) {
    reset(buf);
    int start = buf.readerIndex();
    int readable = buf.readableBytes();
    if (readable == 0) return Result.INCOMPLETE;
    // The request line starts with a method token; a leading empty line (RFC 9112 §2.2) or anything else that
    // is not a token goes to the standard decoder.
    if (!isTchar(buf.getByte(start))) return Result.UNSUPPORTED;
    int limit = start + Math.min(readable, maxHeadBytes);
    int lf = buf.indexOf(start, limit, LF);
    if (lf < 0) return incomplete(readable);
    if (!requestLine(buf, start, lf)) return Result.UNSUPPORTED;

    int lineStart = lf + 1;
    headersStart = lineStart;
    while (true) {
      lf = buf.indexOf(lineStart, limit, LF);
      if (lf < 0) return incomplete(readable);
      int cr = lf - 1;
      // RFC 9112 §2.2: only CRLF ends a line here; a bare LF goes to the standard decoder.
      if (cr < lineStart || buf.getByte(cr) != CR) return Result.UNSUPPORTED;
      if (cr == lineStart) break; // the empty line ending the head
      if (!fieldLine(buf, lineStart, cr, lf + 1)) return Result.UNSUPPORTED;
      lineStart = lf + 1;
    }
    if (hostCount != 1) return Result.UNSUPPORTED; // RFC 9112 §3.2: exactly one Host
    // RFC 9112 §6.1: Content-Length with Transfer-Encoding may be an attempt to smuggle; the standard decoder rejects it
    if (chunked && contentLengthCount > 0) return Result.UNSUPPORTED;
    headLength = lf + 1 - start;
    return Result.SIMPLE;
  }

  private Result incomplete(int readable) {
    return readable >= maxHeadBytes ? Result.UNSUPPORTED : Result.INCOMPLETE;
  }

  private void reset(ByteBuf buf) {
    this.buf = buf;
    base = buf.readerIndex();
    headLength = 0;
    methodEnd = 0;
    method = null;
    targetStart = targetEnd = 0;
    queryMark = -1;
    headersStart = 0;
    hostCount = 0;
    hostStart = hostNameEnd = hostEnd = 0;
    contentLengthCount = 0;
    contentLength = 0;
    chunked = false;
    http10 = false;
    connectionClose = false;
    connectionKeepAlive = false;
    expectContinue = false;
    forwardedForCount = forwardedProtoCount = viaCount = 0;
    forwardedForStart = forwardedForEnd = viaStart = viaEnd = 0;
    forwardedHost = false;
    requestId = false;
    dropped.clear();
    path = query = host = authority = forwardedFor = via = null;
  }

  /** RFC 9112 §3: {@code method SP request-target SP HTTP-version CRLF}, origin-form target only (§3.2.1). */
  private boolean requestLine(ByteBuf buf, int start, int lf) {
    int cr = lf - 1;
    if (cr <= start || buf.getByte(cr) != CR) return false;
    int i = start;
    while (i < cr && isTchar(buf.getByte(i))) i++;
    if (i == start || i >= cr || buf.getByte(i) != SP) return false;
    methodEnd = i;
    method = knownMethod(buf, start, i);
    if (method == null && i - start == CONNECT.length() && equalsExact(buf, start, CONNECT)) return false; // refused there

    int target = i + 1;
    if (target >= cr || buf.getByte(target) != '/') return false;
    i = target;
    while (i < cr) {
      byte b = buf.getByte(i);
      if (b == SP) break;
      if (b < 0x21 || b > 0x7E) return false; // CTLs, DEL and non-ASCII (negative) bytes
      if (b == '?' && queryMark < 0) queryMark = i;
      i++;
    }
    if (i >= cr) return false;
    targetStart = target;
    targetEnd = i;

    // exactly one SP, then exactly "HTTP/1.1" or "HTTP/1.0" (case-sensitive, RFC 9112 §2.3). An HTTP/1.0 head
    // must carry Host here too (parse), so it names its authority as an HTTP/1.1 one does.
    int version = i + 1;
    if (cr - version != VERSION.length()) return false;
    if (equalsExact(buf, version, VERSION)) return true;
    http10 = equalsExact(buf, version, VERSION_1_0);
    return http10;
  }

  private static String knownMethod(ByteBuf buf, int start, int end) {
    switch (end - start) {
      case 3:
        if (equalsExact(buf, start, GET)) return GET;
        if (equalsExact(buf, start, PUT)) return PUT;
        return null;
      case 4:
        if (equalsExact(buf, start, POST)) return POST;
        if (equalsExact(buf, start, HEAD)) return HEAD;
        return null;
      case 5:
        return equalsExact(buf, start, PATCH) ? PATCH : null;
      case 6:
        return equalsExact(buf, start, DELETE) ? DELETE : null;
      case 7:
        return equalsExact(buf, start, OPTIONS) ? OPTIONS : null;
      default:
        return null;
    }
  }

  /**
   * RFC 9112 §5: {@code field-name ":" OWS field-value OWS}. The name must be immediately followed by the colon
   * (§5.1: whitespace before it must be rejected); a line starting with SP/HTAB is obs-fold (§5.2).
   */
  private boolean fieldLine(ByteBuf buf, int start, int cr, int next) {
    int i = start;
    while (i < cr && isTchar(buf.getByte(i))) i++;
    if (i == start || i >= cr || buf.getByte(i) != ':') return false;
    int nameEnd = i;
    for (int j = nameEnd + 1; j < cr; j++) {
      if (!isFieldValueByte(buf.getByte(j))) return false;
    }
    int valueStart = skipOws(buf, nameEnd + 1, cr);
    int valueEnd = trimOwsEnd(buf, valueStart, cr);
    return field(buf, start, nameEnd, valueStart, valueEnd, next);
  }

  /** Applies the rules of the fields the fast path knows; false means UNSUPPORTED. */
  private boolean field(ByteBuf buf, int name, int nameEnd, int value, int valueEnd, int next) {
    switch (nameEnd - name) {
      case 2:
        return !equalsIgnoreCase(buf, name, nameEnd, "te");
      case 3:
        if (equalsIgnoreCase(buf, name, nameEnd, "via")) {
          if (viaCount++ > 0) return false;
          viaStart = value;
          viaEnd = valueEnd;
          dropped.add(name, next);
        }
        return true;
      case 4:
        return !equalsIgnoreCase(buf, name, nameEnd, "host") || host(buf, value, valueEnd);
      case 6:
        if (!equalsIgnoreCase(buf, name, nameEnd, "expect")) return true;
        // RFC 9110 §10.1.1: one "100-continue" in HTTP/1.1 is answered here (FastPathExchange) and not forwarded.
        // Another expectation (417) and HTTP/1.0 (where it must be ignored) are the standard path's.
        if (http10 || expectContinue || !equalsIgnoreCase(buf, value, valueEnd, "100-continue")) return false;
        expectContinue = true;
        dropped.add(name, next);
        return true;
      case 7:
        if (equalsIgnoreCase(buf, name, nameEnd, "upgrade")) {
          // Hop-by-hop (RFC 9110 §7.6.1). An upgrade is asked for only with "upgrade" in Connection (§7.8), and such
          // a head goes to Vert.x (connection() takes no other option than close and keep-alive); alone it is
          // dropped, as the full path does. (On an h2c listener, Vert.x's h2c handler would answer a first
          // request with "Upgrade: h2c" alone with an unframed 400.)
          dropped.add(name, next);
          return true;
        }
        return !equalsIgnoreCase(buf, name, nameEnd, "trailer");
      case 10:
        if (equalsIgnoreCase(buf, name, nameEnd, "keep-alive")) return false;
        if (equalsIgnoreCase(buf, name, nameEnd, "connection")) {
          dropped.add(name, next);
          return connection(buf, value, valueEnd);
        }
        return true;
      case 12:
        if (equalsIgnoreCase(buf, name, nameEnd, "x-request-id")) requestId = true;
        return true;
      case 14:
        if (equalsIgnoreCase(buf, name, nameEnd, "http2-settings")) return false;
        // Content_Length: the full path refuses it (an upstream mapping names to CGI variables reads Content-Length)
        if (equalsIgnoreCase(buf, name, nameEnd, "content_length")) return false;
        if (equalsIgnoreCase(buf, name, nameEnd, "content-length")) {
          // RFC 9112 §6.3 item 5: one field, digits only; no lists, no sign, nothing a peer could read otherwise.
          if (contentLengthCount++ > 0) return false;
          contentLength = HttpBytes.digits(buf, value, valueEnd, MAX_CONTENT_LENGTH_DIGITS);
          return contentLength >= 0;
        }
        return true;
      case 15:
        if (equalsIgnoreCase(buf, name, nameEnd, "x-forwarded-for")) {
          if (forwardedForCount++ > 0) return false;
          forwardedForStart = value;
          forwardedForEnd = valueEnd;
          dropped.add(name, next);
        }
        return true;
      case 16:
        if (equalsIgnoreCase(buf, name, nameEnd, "proxy-connection")) return false;
        if (equalsIgnoreCase(buf, name, nameEnd, "x-forwarded-host")) forwardedHost = true;
        return true;
      case 17:
        if (equalsIgnoreCase(buf, name, nameEnd, "transfer-encoding")) return transferEncoding(buf, name, value, valueEnd, next);
        if (equalsIgnoreCase(buf, name, nameEnd, "transfer_encoding")) return false; // as Content_Length above
        if (equalsIgnoreCase(buf, name, nameEnd, "x-forwarded-proto")) {
          if (forwardedProtoCount++ > 0) return false;
          dropped.add(name, next);
        }
        return true;
      case 18:
        return !equalsIgnoreCase(buf, name, nameEnd, "proxy-authenticate");
      case 19:
        return !equalsIgnoreCase(buf, name, nameEnd, "proxy-authorization");
      default:
        return true;
    }
  }

  /**
   * Transfer-Encoding (RFC 9112 §6.1): one field saying {@code chunked} and nothing else, in HTTP/1.1 (§6.1 has a
   * server treat it in HTTP/1.0 as faulty framing). The line is dropped: the upstream gets the sidecar's own, with
   * the body checked and re-chunked ({@code ChunkedRequestBody}). Any other value, a list, or a second field goes
   * to the standard decoder, which answers a coding it does not know 501 and a list without a final chunked 400.
   */
  private boolean transferEncoding(ByteBuf buf, int name, int value, int valueEnd, int next) {
    if (http10 || chunked || !equalsIgnoreCase(buf, value, valueEnd, "chunked")) return false;
    chunked = true;
    dropped.add(name, next);
    return true;
  }

  /**
   * Host (RFC 9110 §7.2, RFC 3986 §3.2.2): {@code uri-host [ ":" port ]}, checked strictly: reg-name characters
   * or a bracketed IP literal, then an optional all-digit port.
   */
  private boolean host(ByteBuf buf, int start, int end) {
    if (hostCount++ > 0 || start == end) return false;
    int i = start;
    if (buf.getByte(i) == '[') {
      i++;
      while (i < end && buf.getByte(i) != ']') {
        byte b = buf.getByte(i);
        if (!isRegNameByte(b) && b != ':') return false;
        i++;
      }
      if (i >= end || i == start + 1) return false;
      i++; // past ']'
    } else {
      while (i < end && isRegNameByte(buf.getByte(i)) && buf.getByte(i) != '%') i++; // Vert.x refuses pct-encoding
      if (i == start) return false;
    }
    int nameEnd = i;
    if (i < end) {
      if (buf.getByte(i) != ':') return false;
      int port = 0;
      for (i++; i < end; i++) {
        if (!isDigit(buf.getByte(i))) return false;
        port = port * 10 + (buf.getByte(i) - '0');
        if (port > 65535) return false; // not a TCP port: the full path rejects it (400), so it must see it
      }
    }
    hostStart = start;
    hostNameEnd = nameEnd;
    hostEnd = end;
    return true;
  }

  /** RFC 3986 §3.2.2 reg-name: unreserved / pct-encoded / sub-delims. */
  private static boolean isRegNameByte(byte b) {
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || isDigit(b)) return true;
    switch (b) {
      case '-': case '.': case '_': case '~': case '%':
      case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
        return true;
      default:
        return false;
    }
  }

  /**
   * Connection (RFC 9110 §7.6.1): only "close" and "keep-alive" are understood; any other option names fields
   * (or a protocol switch) the standard path handles.
   */
  private boolean connection(ByteBuf buf, int start, int end) {
    elements.reset(buf, start, end);
    while (elements.next()) {
      if (equalsIgnoreCase(buf, elements.start(), elements.end(), "close")) {
        connectionClose = true;
      } else if (equalsIgnoreCase(buf, elements.start(), elements.end(), "keep-alive")) {
        connectionKeepAlive = true;
      } else {
        return false;
      }
    }
    return true;
  }

  // ---- accessors, valid after SIMPLE ----

  /** Where the first field line starts (after the request line), from the reader index. */
  public int fieldsStart() {
    return headersStart - base;
  }

  /** Bytes through the LF of the blank line. */
  public int headLength() {
    return headLength;
  }

  /** A shared constant for GET HEAD POST PUT DELETE OPTIONS PATCH; a new String for other methods. */
  public String method() {
    if (method == null) {
      checkSimple();
      method = HttpBytes.string(buf, base, methodEnd);
    }
    return method;
  }

  public int targetStart() {
    return targetStart - base;
  }

  public int targetEnd() {
    return targetEnd - base;
  }

  /** The request target as sent (origin-form: path and query, raw). */
  public String target() {
    checkSimple();
    return HttpBytes.string(buf, targetStart, targetEnd);
  }

  /** Target up to '?', raw (not percent-decoded). */
  public String path() {
    if (path == null) {
      checkSimple();
      path = HttpBytes.string(buf, targetStart, queryMark < 0 ? targetEnd : queryMark);
    }
    return path;
  }

  /** Target after the first '?', raw; null without '?'. */
  public String query() {
    if (query == null && queryMark >= 0) {
      checkSimple();
      query = HttpBytes.string(buf, queryMark + 1, targetEnd);
    }
    return query;
  }

  /** Host lower-cased, without the port; an IPv6 literal keeps its brackets. */
  public String host() {
    if (host == null) {
      checkSimple();
      host = HttpBytes.string(buf, hostStart, hostNameEnd).toLowerCase(Locale.ROOT);
    }
    return host;
  }

  /** Writes the Host value as sent (OWS-trimmed) to {@code out}: {@link #authority()} without making a String. */
  public void writeAuthority(ByteBuf out) {
    checkSimple();
    out.writeBytes(buf, hostStart, hostEnd - hostStart);
  }

  /** Host value as sent (OWS-trimmed). */
  public String authority() {
    if (authority == null) {
      checkSimple();
      authority = HttpBytes.string(buf, hostStart, hostEnd);
    }
    return authority;
  }

  /** 0 when absent (and with a chunked body). */
  public long contentLength() {
    return contentLength;
  }

  /** The body is chunked ({@code Transfer-Encoding: chunked}); its line is among the dropped ones. */
  public boolean chunked() {
    return chunked;
  }

  /** The request has a body: a Content-Length above 0, or a chunked one. */
  public boolean hasBody() {
    return contentLength > 0 || chunked;
  }

  /** Expect: 100-continue (HTTP/1.1): the client waits for a 100 before it sends the body. */
  public boolean expectsContinue() {
    return expectContinue;
  }

  /** The request line says HTTP/1.0. */
  public boolean http10() {
    return http10;
  }

  /**
   * The client keeps the connection for another request (RFC 9112 §9.3): HTTP/1.1 unless Connection lists "close";
   * HTTP/1.0 only when it lists "keep-alive" (and not "close").
   */
  public boolean persistent() {
    return !connectionClose && (!http10 || connectionKeepAlive);
  }

  /**
   * First value of the field (OWS-trimmed), or null. Scans the head's bytes on every call: meant for the rare
   * header-based routing, not the hot path.
   */
  public String header(String lowerCaseName) {
    checkSimple();
    int end = base + headLength;
    int line = headersStart;
    while (true) {
      int lf = buf.indexOf(line, end, LF);
      int cr = lf - 1;
      if (cr <= line) return null; // the blank line: parse() guaranteed CRLF line ends
      int colon = buf.indexOf(line, cr, (byte) ':');
      if (equalsIgnoreCase(buf, line, colon, lowerCaseName)) {
        int s = skipOws(buf, colon + 1, cr);
        return HttpBytes.string(buf, s, trimOwsEnd(buf, s, cr));
      }
      line = lf + 1;
    }
  }

  /** Calls {@code field} with each field line's name as sent and its value OWS-trimmed, in order. */
  public void forEachField(java.util.function.BiConsumer<String, String> field) {
    checkSimple();
    int end = base + headLength;
    int line = headersStart;
    while (true) {
      int lf = buf.indexOf(line, end, LF);
      int cr = lf - 1;
      if (cr <= line) return; // the blank line
      int colon = buf.indexOf(line, cr, (byte) ':');
      int s = skipOws(buf, colon + 1, cr);
      field.accept(HttpBytes.string(buf, line, colon), HttpBytes.string(buf, s, trimOwsEnd(buf, s, cr)));
      line = lf + 1;
    }
  }

  /**
   * Number of header lines the proxy must not forward as they are: Connection, X-Forwarded-For, X-Forwarded-Proto,
   * Via, a lone Upgrade, Expect.
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

  /**
   * The dropped lines ({@link #droppedLines}) and those of the fields {@code names} names, merged in order: for a
   * route whose header rules remove or replace fields. Valid until the next parse.
   */
  public DroppedLines droppedWith(FieldNames names) {
    checkSimple();
    withNames.clear();
    int next = 0; // the next line of this parser's own to merge in
    int end = base + headLength;
    int line = headersStart;
    while (true) {
      int lf = buf.indexOf(line, end, LF);
      if (lf - 1 <= line) break; // the blank line: parse() guaranteed CRLF line ends
      boolean own = next < dropped.size() && dropped.start(next) == line;
      if (own) next++;
      if (own || names.matches(buf, line, buf.indexOf(line, lf, (byte) ':'))) withNames.add(line, lf + 1);
      line = lf + 1;
    }
    return withNames.relativeTo(base);
  }

  /** X-Forwarded-For value, or null. */
  public String forwardedFor() {
    if (forwardedFor == null && forwardedForCount > 0) {
      checkSimple();
      forwardedFor = HttpBytes.string(buf, forwardedForStart, forwardedForEnd);
    }
    return forwardedFor;
  }

  /** Via value, or null. */
  public String via() {
    if (via == null && viaCount > 0) {
      checkSimple();
      via = HttpBytes.string(buf, viaStart, viaEnd);
    }
    return via;
  }

  /** X-Forwarded-Host present. */
  public boolean hasForwardedHost() {
    return forwardedHost;
  }

  /** X-Request-Id present (passed on as it is). */
  public boolean hasRequestId() {
    return requestId;
  }

  private void checkSimple() {
    if (headLength == 0) throw new IllegalStateException("no SIMPLE head parsed");
  }
}
