package io.sidecar.fault;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON merge patch, RFC 7386 section 2, on JSON-neutral trees (Map / List / scalars):
 *
 * <pre>
 * MergePatch(Target, Patch):
 *   if Patch is an Object:
 *     if Target is not an Object: Target = {}
 *     for each Name/Value in Patch:
 *       if Value is null: remove Name from Target
 *       else: Target[Name] = MergePatch(Target[Name], Value)
 *     return Target
 *   else: return Patch
 * </pre>
 *
 * The target is not modified; a new tree is returned (unchanged parts are shared).
 */
public final class JsonMergePatch {
  private JsonMergePatch() {}

  public static Object apply(Object target, Object patch) {
    if (!(patch instanceof Map<?, ?> p)) return patch;
    Map<String, Object> out = new LinkedHashMap<>();
    if (target instanceof Map<?, ?> t) {
      for (Map.Entry<?, ?> e : t.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
    }
    for (Map.Entry<?, ?> e : p.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (e.getValue() == null) out.remove(name);
      else out.put(name, apply(out.get(name), e.getValue()));
    }
    return out;
  }
}
