package io.sidecar.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The path a request is routed by and sent upstream with: its dot segments removed (RFC 3986 §5.2.4) after
 * percent-encoded unreserved characters are decoded (§6.2.2.2), as Envoy's {@code normalize_path} and Istio's default
 * do, and as nginx does before it matches a location. Without it, {@code /public/../admin} matched a
 * {@code path_prefix: /public/} route and reached the upstream, which resolves it to {@code /admin}: a route's
 * policy (its cluster, faults, rate limit, cache) could be stepped around. Slashes are not merged (Envoy's
 * {@code merge_slashes} is a separate choice) and other escapes, {@code %2F} included, stay as they are.
 */
final class RequestPaths {
  private RequestPaths() {}

  /** Whether the config serving asks for normalised paths ({@code server.normalize_path}, on by default). */
  static boolean on(ProxyRuntime runtime) {
    return runtime.snapshot().config().server().normalizePath();
  }

  /**
   * The path {@code request} is routed, cached and sent upstream by: normalised when {@code normalize}
   * ({@link #on}), "/" when it has none; the request's own instance when there is nothing to change.
   */
  static String of(io.vertx.core.http.HttpServerRequest request, boolean normalize) {
    String path = request.path();
    if (path == null) return "/";
    return normalize ? normalize(path) : path;
  }

  /** {@code path} normalised; the same instance when there is nothing to do (the common case, no allocation). */
  static String normalize(String path) {
    if (path == null || !needsNormalizing(path)) return path;
    return removeDotSegments(decodeUnreserved(path));
  }

  /** Whether {@link #normalize} would change {@code path}: a "." or ".." segment, or an escaped unreserved character. */
  static boolean needsNormalizing(String path) {
    int length = path.length();
    for (int i = 0; i < length; i++) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < length && unreserved(hex(path.charAt(i + 1)), hex(path.charAt(i + 2)))) return true;
      if (c == '.' && (i == 0 || path.charAt(i - 1) == '/')) {
        int end = i + 1 < length && path.charAt(i + 1) == '.' ? i + 2 : i + 1;
        if (end == length || path.charAt(end) == '/') return true;
      }
    }
    return false;
  }

  private static String decodeUnreserved(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        int hi = hex(path.charAt(i + 1));
        int lo = hex(path.charAt(i + 2));
        if (unreserved(hi, lo)) {
          out.append((char) (hi * 16 + lo));
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  /** RFC 3986 §5.2.4 for an absolute path; anything else (an asterisk-form target) is left as it is. */
  static String removeDotSegments(String path) {
    if (!path.startsWith("/")) return path;
    String[] segments = path.substring(1).split("/", -1);
    List<String> out = new ArrayList<>(segments.length);
    boolean trailingSlash = false;
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals(".") || s.equals("..")) {
        if (s.equals("..") && !out.isEmpty()) out.remove(out.size() - 1);
        trailingSlash = last; // "/a/." and "/a/b/.." both end in a slash
      } else {
        out.add(s);
        trailingSlash = false;
      }
    }
    StringBuilder b = new StringBuilder(path.length());
    for (String s : out) b.append('/').append(s);
    if (trailingSlash || b.length() == 0) b.append('/');
    return b.toString();
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  /** Whether %hi lo encodes an unreserved character: ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3). */
  private static boolean unreserved(int hi, int lo) {
    if (hi < 0 || lo < 0) return false;
    char c = (char) (hi * 16 + lo);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }
}
