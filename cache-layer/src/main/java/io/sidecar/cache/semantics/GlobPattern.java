package io.sidecar.cache.semantics;

import java.util.regex.Pattern;

/**
 * A shell-style glob for purges: {@code *} any run of characters (including '/'), {@code ?} one character,
 * {@code [abc]}, {@code [a-z]}, {@code [!a]} classes, {@code \} escapes. Compiled to an anchored regex.
 */
public final class GlobPattern {

  public static final int MAX_LENGTH = 1024;

  private final String glob;
  private final Pattern regex;

  private GlobPattern(String glob, Pattern regex) {
    this.glob = glob;
    this.regex = regex;
  }

  /** @throws IllegalArgumentException with a description of what is wrong and where */
  public static GlobPattern compile(String glob) {
    if (glob == null || glob.isEmpty()) {
      throw new IllegalArgumentException("empty pattern");
    }
    if (glob.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("pattern longer than " + MAX_LENGTH + " characters");
    }
    StringBuilder re = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("control character at position " + i);
      }
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '\\' -> {
          if (i + 1 >= glob.length()) {
            throw new IllegalArgumentException("dangling escape at position " + i);
          }
          re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
        }
        case '[' -> i = charClass(glob, i, re);
        case ']' -> throw new IllegalArgumentException("unmatched ']' at position " + i);
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
      i++;
    }
    return new GlobPattern(glob, Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  /** Appends the class starting at {@code start} ('[') and returns the index of its closing ']'. */
  private static int charClass(String glob, int start, StringBuilder re) {
    int i = start + 1;
    StringBuilder cls = new StringBuilder("[");
    if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
      cls.append('^');
      i++;
    }
    int members = 0;
    while (i < glob.length() && glob.charAt(i) != ']') {
      char c = glob.charAt(i);
      if (c == '[') {
        throw new IllegalArgumentException("nested '[' at position " + i);
      }
      if (c == '-' && members > 0 && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
        char lo = glob.charAt(i - 1);
        char hi = glob.charAt(i + 1);
        if (hi < lo) {
          throw new IllegalArgumentException("reversed range '" + lo + "-" + hi + "' at position " + (i - 1));
        }
        cls.append('-');
      } else if (c == '\\' || c == '^' || c == '&' || c == '-') {
        cls.append('\\').append(c);
      } else {
        cls.append(c);
      }
      members++;
      i++;
    }
    if (i >= glob.length()) {
      throw new IllegalArgumentException("unclosed '[' at position " + start);
    }
    if (members == 0) {
      throw new IllegalArgumentException("empty character class at position " + start);
    }
    re.append(cls).append(']');
    return i;
  }

  public boolean matches(String s) {
    return regex.matcher(s).matches();
  }

  @Override
  public String toString() {
    return glob;
  }
}
