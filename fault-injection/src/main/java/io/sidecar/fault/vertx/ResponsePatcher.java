package io.sidecar.fault.vertx;

import io.sidecar.fault.JsonMergePatch;
import io.sidecar.fault.spec.PatchSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a {@link PatchSpec} (Chaos Mesh's replace / patch) to an upstream response the proxy has
 * buffered. Status and headers can be patched without the body ({@link #status}, {@link #headers});
 * when {@link PatchSpec#changesBody()} the proxy buffers the body (within its configured limit)
 * and calls {@link #body}, which also fixes {@code content-length}.
 */
public final class ResponsePatcher {

  private ResponsePatcher() {}

  public static int status(PatchSpec patch, int upstreamStatus) {
    return patch.status() == null ? upstreamStatus : patch.status();
  }

  /** Removes then sets headers, in place. */
  public static void headers(PatchSpec patch, MultiMap headers) {
    for (String name : patch.removeHeaders()) headers.remove(name);
    for (Map.Entry<String, String> e : patch.setHeaders().entrySet()) headers.set(e.getKey(), e.getValue());
  }

  /**
   * The patched body: the replacement body, or the JSON merge patch applied when the body is JSON
   * (content type {@code application/json} or {@code +json}, and it parses); otherwise unchanged.
   * Updates {@code content-length} in {@code headers} when it changes the body.
   */
  public static Buffer body(PatchSpec patch, Buffer body, MultiMap headers) {
    Buffer out = body;
    if (patch.body() != null) {
      out = Buffer.buffer(patch.body());
    } else if (patch.mergePatch() != null && isJson(headers.get("content-type"))) {
      try {
        Object tree = plain(Json.decodeValue(body));
        out = Json.encodeToBuffer(JsonMergePatch.apply(tree, patch.mergePatch()));
      } catch (DecodeException e) {
        return body; // not actually JSON: leave it alone
      }
    }
    if (out != body && !headers.contains("transfer-encoding")) headers.set("content-length", String.valueOf(out.length()));
    return out;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) return false;
    String ct = contentType.toLowerCase(Locale.ROOT);
    int semi = ct.indexOf(';');
    if (semi >= 0) ct = ct.substring(0, semi);
    ct = ct.trim();
    return ct.equals("application/json") || ct.endsWith("+json");
  }

  private static Object plain(Object v) {
    if (v instanceof JsonObject o) return plain(o.getMap());
    if (v instanceof JsonArray a) return plain(a.getList());
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), plain(e.getValue()));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) out.add(plain(o));
      return out;
    }
    return v;
  }
}
