package io.sidecar.fault;

/**
 * A path glob: {@code *} matches any run of characters within one segment (no '/'), {@code **} any
 * run including '/', {@code ?} one character other than '/'. Matching allocates nothing; literal
 * globs compare with equals and {@code /prefix/**} with startsWith.
 */
public final class PathGlob {

  private final String glob;
  private final boolean literal;
  private final String prefix; // non-null when the glob is "<literal>**"

  public PathGlob(String glob) {
    this.glob = glob;
    this.literal = glob.indexOf('*') < 0 && glob.indexOf('?') < 0;
    String head = glob.endsWith("**") ? glob.substring(0, glob.length() - 2) : null;
    this.prefix = head != null && head.indexOf('*') < 0 && head.indexOf('?') < 0 ? head : null;
  }

  public String glob() {
    return glob;
  }

  public boolean matches(String path) {
    if (path == null) return false;
    if (literal) return glob.equals(path);
    if (prefix != null) return path.startsWith(prefix);
    return match(0, path, 0);
  }

  private boolean match(int pi, String s, int si) {
    String p = glob;
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        boolean across = pi + 1 < p.length() && p.charAt(pi + 1) == '*';
        int next = pi + (across ? 2 : 1);
        if (next == p.length()) return across || s.indexOf('/', si) < 0;
        for (int k = si; k <= s.length(); k++) {
          if (match(next, s, k)) return true;
          if (k < s.length() && !across && s.charAt(k) == '/') return false;
        }
        return false;
      }
      if (si >= s.length()) return false;
      char sc = s.charAt(si);
      if (c == '?' ? sc == '/' : c != sc) return false;
      pi++;
      si++;
    }
    return si == s.length();
  }

  @Override
  public String toString() {
    return glob;
  }
}
