package io.sidecar.config;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The configuration in force as plain maps and lists (for {@code GET /config}), with secrets redacted:
 * tokens, keys, and passwords inside URLs. Field names are rendered in the YAML's snake case.
 */
public final class EffectiveConfig {
  private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@]*:)[^@]*@");

  private EffectiveConfig() {}

  public static Object toPlain(Object value) {
    return render(value, "");
  }

  private static Object render(Object value, String name) {
    if (value == null) return null;
    if (value instanceof String s) return redact(name, s);
    if (value instanceof Number || value instanceof Boolean) return value;
    if (value instanceof Duration d) return Units.formatDuration(d);
    if (value instanceof Pattern p) return p.pattern();
    if (value instanceof Enum<?> e) return e.name().toLowerCase();
    if (value instanceof YamlNode n) return n.toPlain();
    if (value instanceof HostPort hp) return hp.toString();
    if (value instanceof Collection<?> c) {
      var out = new ArrayList<>();
      c.forEach(v -> out.add(render(v, name)));
      return out;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), render(v, String.valueOf(k))));
      return out;
    }
    if (value.getClass().isRecord()) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (RecordComponent c : value.getClass().getRecordComponents()) {
        try {
          String key = snake(c.getName());
          out.put(key, render(c.getAccessor().invoke(value), key));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return out;
    }
    return value.toString();
  }

  private static String redact(String field, String value) {
    if (value.isEmpty()) return value;
    if (field.equals("token") || field.equals("password")) return "<redacted>";
    return URL_PASSWORD.matcher(value).replaceAll("$1<redacted>@");
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
  }
}
