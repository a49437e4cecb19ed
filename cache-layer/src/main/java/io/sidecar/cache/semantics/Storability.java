package io.sidecar.cache.semantics;

import java.util.Set;

/**
 * May a shared cache store this response? RFC 9111 §3 (and §3.5 for requests with Authorization).
 * Returns null when storable, else the reason it is not.
 */
public final class Storability {

  /** Final status codes this cache understands (for must-understand, RFC 9111 §5.2.2.3). */
  public static final Set<Integer> UNDERSTOOD_STATUS =
      Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501);

  private Storability() {
  }

  /**
   * @param requestMethod the request method (only GET responses are stored here)
   * @param req the request directives
   * @param requestHasAuthorization whether the request carried Authorization (§3.5)
   * @param status the response status
   * @param responseHeaders the response header fields
   * @param cc the effective response directives ({@link ResponseDirectives#effective})
   */
  public static String refusal(String requestMethod, RequestDirectives req, boolean requestHasAuthorization,
      int status, HeaderFields responseHeaders, Directives cc) {
    if (!"GET".equals(requestMethod)) {
      return "method";
    }
    // 206 needs range handling we do not do; 304 is not a complete response; 1xx are not final
    if (status < 200 || status == 206 || status == 304) {
      return "status";
    }
    if (cc.has("must-understand")) {
      // §5.2.2.3: store only if the status code is understood, and then ignore no-store
      if (!UNDERSTOOD_STATUS.contains(status)) {
        return "must-understand";
      }
    } else if (cc.has("no-store")) {
      return "no-store";
    }
    if (req.noStore()) {
      return "request no-store";
    }
    // §5.2.2.7: unqualified private forbids a shared cache to store; qualified private only strips fields
    if (cc.has("private") && cc.value("private") == null) {
      return "private";
    }
    // §3.5: Authorization requires explicit permission
    if (requestHasAuthorization && !(cc.has("must-revalidate") || cc.has("public") || cc.has("s-maxage"))) {
      return "authorization";
    }
    // §4.1: Vary: * never matches, do not store it
    for (String v : responseHeaders.listElements("Vary")) {
      if (v.equals("*")) {
        return "vary *";
      }
    }
    // §3: some explicit permission or a heuristically cacheable status
    boolean permitted = cc.has("public") || cc.has("max-age") || cc.has("s-maxage")
        || responseHeaders.contains("Expires") || Freshness.HEURISTICALLY_CACHEABLE.contains(status);
    if (!permitted) {
      return "no explicit freshness and status not heuristically cacheable";
    }
    return null;
  }
}
