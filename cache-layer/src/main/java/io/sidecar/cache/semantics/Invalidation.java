package io.sidecar.cache.semantics;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Invalidation after unsafe requests (RFC 9111 §4.4): a non-error response to an unsafe method invalidates
 * the target URI and the same-origin Location and Content-Location URIs.
 */
public final class Invalidation {

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private Invalidation() {
  }

  public static boolean isUnsafe(String method) {
    return !SAFE.contains(method);
  }

  /**
   * @param targetUrl the absolute request URI, e.g. {@code http://host/path?q}
   * @return absolute URIs to invalidate (empty when nothing is invalidated)
   */
  public static List<String> targets(String method, int status, String targetUrl, HeaderFields responseHeaders) {
    // "non-error status code": 2xx or 3xx
    if (!isUnsafe(method) || status < 200 || status >= 400) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    out.add(targetUrl);
    URI base;
    try {
      base = URI.create(targetUrl);
    } catch (IllegalArgumentException e) {
      return out;
    }
    for (String field : new String[] {"Location", "Content-Location"}) {
      String v = responseHeaders.first(field);
      if (v == null || v.isBlank()) {
        continue;
      }
      try {
        URI resolved = base.resolve(v.trim());
        if (sameOrigin(base, resolved)) {
          out.add(resolved.toString());
        }
      } catch (IllegalArgumentException ignored) {
        // not a URI reference: nothing to invalidate
      }
    }
    return out;
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }
}
