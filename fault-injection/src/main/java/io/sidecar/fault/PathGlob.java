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
  private final String literalHead; // the literal text before the first wildcard

  public PathGlob(String glob) {
    this.glob = glob;
    this.literal = glob.indexOf('*') < 0 && glob.indexOf('?') < 0;
    String head = glob.endsWith("**") ? glob.substring(0, glob.length() - 2) : null;
    this.prefix = head != null && head.indexOf('*') < 0 && head.indexOf('?') < 0 ? head : null;
    int firstWildcard = glob.length();
    for (int i = 0; i < glob.length(); i++) {
      if (glob.charAt(i) == '*' || glob.charAt(i) == '?') {
        firstWildcard = i;
        break;
      }
    }
    this.literalHead = glob.substring(0, firstWildcard);
  }

  public String glob() {
    return glob;
  }

  public boolean matches(String path) {
    if (path == null) return false;
    if (literal) return glob.equals(path);
    if (prefix != null) return path.startsWith(prefix);
    if (!path.startsWith(literalHead)) return false;
    return match(literalHead.length(), path, literalHead.length());
  }

  private boolean match(int pi, String s, int si) {
    String p = glob;
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        boolean across = pi + 1 < p.length() && p.charAt(pi + 1) == '*';
        int next = pi + (across ? 2 : 1);
        if (next == p.length()) return across || s.indexOf('/', si) < 0;
        // a single * cannot consume a '/': the match of the rest must start at or before the next '/'
        int slash = across ? -1 : s.indexOf('/', si);
        int limit = slash < 0 ? s.length() : slash;
        char nc = p.charAt(next);
        boolean literalNext = nc != '*' && nc != '?';
        for (int k = si; k <= limit; k++) {
          if (literalNext) {
            k = s.indexOf(nc, k); // skip positions where the rest cannot start
            if (k < 0 || k > limit) return false;
          }
          if (match(next, s, k)) return true;
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
