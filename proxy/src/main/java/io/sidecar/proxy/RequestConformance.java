package io.sidecar.proxy;

import io.vertx.core.VertxException;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.util.List;

/**
 * What a request must satisfy before the full path routes it, beyond what Netty's decoder checks: RFC 9112's Host
 * rules and the absolute form of the request target. The byte-level path takes only heads that meet these already
 * ({@link io.sidecar.proxy.http1.RequestHeadParser}); this is the same judgement for everything else.
 */
final class RequestConformance {
  private RequestConformance() {}

  /**
   * Why the Host fields of an HTTP/1.x request make it a 400, or null when they do not (RFC 9112 §3.2): an HTTP/1.1
   * request without Host, any request with more than one, or one whose value is not {@code uri-host [":" port]}.
   * An empty value too: the grammar allows it for a target URI without authority, but an http(s) URI with an empty
   * host "MUST" be rejected as invalid (RFC 9110 §4.2.1), and it would leave routing, the upstream's Host and
   * X-Forwarded-Host nothing to go by (nginx answers 400 as well). With an absolute-form target the Host value is
   * ignored (§3.2.2), but HTTP/1.1 still requires the field.
   */
  static String hostViolation(boolean http11, List<String> hosts, boolean absoluteForm) {
    if (hosts.isEmpty()) return http11 ? "missing Host header (required in HTTP/1.1)" : null;
    if (hosts.size() > 1) return "more than one Host header";
    if (absoluteForm) return null;
    String host = hosts.get(0).trim();
    if (host.isEmpty()) return "empty Host header";
    return isAuthority(host) ? null : "invalid Host header";
  }

  /**
   * CONNECT asks for a tunnel (RFC 9110 §9.3.6), which a reverse proxy does not open: answered 501 (§15.6.2, not
   * supported for any resource) before routing. Forwarded, a 2xx answer to it made the upstream connection a tunnel
   * in the upstream's eyes while the pool took it back (RFC 9112 §6.3: such an answer has no body whatever its
   * Content-Length says), and the next request on it waited for its route timeout.
   */
  static final String CONNECT_UNSUPPORTED = "CONNECT is not supported: the sidecar is a reverse proxy";

  static boolean isConnect(String method) {
    return "CONNECT".equals(method);
  }

  /**
   * Why a CONNECT is refused: 400 for a target that is not authority-form {@code host:port} (RFC 9112 §3.2.3: no
   * port, an empty one, a path), else {@link #CONNECT_UNSUPPORTED} (501). On HTTP/2 the target is {@code :authority}.
   */
  static String connectViolation(String target) {
    HostAndPort authority = target == null ? null : authority(target);
    return authority == null || authority.port() < 1 ? "CONNECT needs an authority-form target (host:port)"
        : CONNECT_UNSUPPORTED;
  }

  /**
   * {@code uri-host [":" port]} as Vert.x parses it for {@code request.authority()}. Vert.x 5.0.7's parser throws on
   * some pct-encoded reg-names ({@code %41bc}) instead of refusing them; such a Host is invalid here, so the request
   * gets its 400 before anything asks Vert.x for the authority (which would throw again and leave it unanswered).
   */
  static boolean isAuthority(String value) {
    return authority(value) != null;
  }

  /** {@code value} parsed as {@code uri-host [":" port]} (port -1 when absent), or null when it is not one. */
  private static HostAndPort authority(String value) {
    try {
      return HostAndPort.parseAuthority(value, -1);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether a Connection value lists {@code close} (RFC 9112 §9.6), as one element of a comma-separated list: Vert.x
   * reads only a value that is exactly {@code close}, and would keep {@code close, x-private} open.
   */
  static boolean listsClose(String connection) {
    return connection != null && connection.indexOf(',') >= 0 && HopByHopHeaders.listHas(connection, "close");
  }

  /**
   * Why a request target cannot be forwarded, or null: a CTL, SP or DEL in it (RFC 9112 §3.2, RFC 3986 §2: none is
   * a URI character; a NUL would reach the upstream as it is, and a SP or CR/LF from an HTTP/2 {@code :path} would
   * split the HTTP/1.1 request line, RFC 9113 §8.3.1); a byte above 0x7F (not a URI character either; the decoder
   * reads each as one Latin-1 character, and the upstream request carried it re-encoded as two UTF-8 bytes, so the
   * sidecar routed one path and the upstream served another; HAProxy answers 400 too); {@code *} with a method other
   * than OPTIONS (§3.2.4); or an HTTP/2 {@code :path} that is neither origin-form nor {@code *} (§8.3.1).
   */
  static String targetViolation(String uri, String method, boolean http2) {
    if (uri == null || uri.isEmpty()) return "empty request target";
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= ' ' || c == 0x7F) return "invalid character in the request target";
      if (c > 0x7F) return "a byte above 0x7F in the request target (percent-encode it, RFC 3986 §2.1)";
    }
    if (uri.equals("*") && !"OPTIONS".equals(method)) return "the asterisk-form target is for OPTIONS only";
    if (http2 && uri.charAt(0) != '/' && !uri.equals("*")) return "invalid :path";
    return null;
  }

  /**
   * Why the field names of an HTTP/1.x request make it a 400, or null. Netty's decoder has checked the rest; it lets
   * through an empty field name (RFC 9110 §5.1: a field name is a token, at least one character), which the upstream
   * request would carry as a line starting with a colon. A {@code Transfer_Encoding} or {@code Content_Length} is
   * refused too: a valid token, but an upstream that maps field names to CGI variables (RFC 3875 §4.1.18: "-" becomes
   * "_") reads it as the framing field the sidecar did not frame the body by; nginx drops such fields by default.
   */
  static String fieldViolation(io.vertx.core.MultiMap headers) {
    for (java.util.Map.Entry<String, String> field : headers) {
      String name = field.getKey();
      if (name.isEmpty()) return "empty field name";
      if (name.length() == 14 && name.equalsIgnoreCase("content_length")
          || name.length() == 17 && name.equalsIgnoreCase("transfer_encoding")) {
        return "invalid field name " + name;
      }
      // RFC 9112 §6.1: Netty checks that chunked comes last and once, then removes only that framing; a coding before
      // it (gzip, chunked) would go upstream still applied to the body and no longer named.
      if (name.length() == 17 && name.equalsIgnoreCase("transfer-encoding")) {
        for (String coding : field.getValue().split(",")) {
          if (!coding.trim().equalsIgnoreCase("chunked")) return UNKNOWN_TRANSFER_CODING;
        }
      }
    }
    return null;
  }

  /** The violation of a Transfer-Encoding that lists a coding other than chunked: 501 (RFC 9112 §6.1). */
  static final String UNKNOWN_TRANSFER_CODING = "unsupported transfer coding";

  /** Whether the request target is in absolute form ({@code http://host/path}, RFC 9112 §3.2.2). */
  static boolean isAbsoluteForm(String uri) {
    return uri != null && !uri.isEmpty() && uri.charAt(0) != '/' && uri.indexOf("://") > 0;
  }

  /**
   * The authority of an absolute-form target, which stands in for Host (RFC 9112 §3.2.2), or null when the target is
   * not usable: a scheme other than http/https, userinfo (RFC 9110 §4.2.4: treat as an error), or no valid host.
   */
  static String absoluteFormAuthority(String uri) {
    int schemeEnd = uri.indexOf("://");
    String scheme = uri.substring(0, schemeEnd);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) return null;
    int start = schemeEnd + 3;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) end++;
    String authority = uri.substring(start, end);
    if (authority.isEmpty() || authority.indexOf('@') >= 0) return null;
    return isAuthority(authority) ? authority : null;
  }

  /**
   * Whether a failure of a downstream HTTP/1.x request body is the decoder rejecting its bytes (a bad chunk size, a
   * missing CRLF after chunk data, oversized trailers), as opposed to the connection going away (I/O errors and
   * Vert.x's own closed/reset exceptions). Netty reports the first kind with the parser's exception as cause.
   */
  static boolean isMalformedBody(Throwable failure) {
    return !(failure instanceof IOException) && !(failure instanceof VertxException);
  }
}
