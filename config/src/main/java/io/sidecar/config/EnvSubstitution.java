package io.sidecar.config;

import java.util.function.Function;

/**
 * Expands {@code ${NAME}} and {@code ${NAME:default}} in scalar values; {@code $$} is a literal dollar.
 * A variable that is unset and has no default is an error (an empty default, {@code ${NAME:}}, is allowed).
 */
public final class EnvSubstitution {
  private final Function<String, String> env;

  public EnvSubstitution(Function<String, String> env) {
    this.env = env;
  }

  public static EnvSubstitution system() {
    return new EnvSubstitution(System::getenv);
  }

  /** Returns the expanded text; throws IllegalArgumentException naming the variable that is missing. */
  public String expand(String text) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated ${ in '" + text + "'");
        }
        String body = text.substring(i + 2, end);
        int colon = body.indexOf(':');
        String name = colon < 0 ? body : body.substring(0, colon);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new IllegalArgumentException("invalid environment variable name '" + name + "'");
        }
        String value = env.apply(name);
        if (value == null) {
          if (colon < 0) {
            throw new IllegalArgumentException("environment variable " + name + " is not set and has no default");
          }
          value = body.substring(colon + 1);
        }
        out.append(value);
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
