package io.sidecar.cache.semantics;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the directives that apply to a cache in our position: the first present and valid targeted field
 * from the configured list (RFC 9213 §2.1, e.g. {@code CDN-Cache-Control}, {@code Surrogate-Control}),
 * which then replaces Cache-Control entirely; otherwise Cache-Control.
 */
public final class ResponseDirectives {

  private ResponseDirectives() {
  }

  public static Directives effective(HeaderFields headers, List<String> targetedFields) {
    for (String field : targetedFields) {
      List<String> values = headers.all(field);
      if (values.isEmpty()) {
        continue;
      }
      if (field.equalsIgnoreCase("Surrogate-Control")) {
        values = stripTargets(values);
      }
      Directives d = Directives.parse(values);
      if (!d.isEmpty()) {
        return d;
      }
    }
    return Directives.parse(headers.all("Cache-Control"));
  }

  /** Edge Architecture Surrogate-Control allows {@code max-age=30;target}: drop the target suffix. */
  private static List<String> stripTargets(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      out.add(v.replaceAll(";[^,]*", ""));
    }
    return out;
  }
}
