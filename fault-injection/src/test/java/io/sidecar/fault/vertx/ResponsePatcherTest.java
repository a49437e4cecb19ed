package io.sidecar.fault.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.spec.PatchSpec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponsePatcherTest {

  private static PatchSpec patch(Map<String, Object> p) {
    return FaultSpecParser.parse(Map.of("name", "p", "patch", p), "").orThrow().patch();
  }

  @Test
  void patchesStatusHeadersAndJsonBody() {
    Map<String, Object> mp = new LinkedHashMap<>();
    mp.put("price", 0);
    mp.put("internal", null);
    PatchSpec p = patch(Map.of("status", 500, "set_headers", Map.of("x-fault", "yes"), "remove_headers", List.of("ETag"),
        "merge_patch", mp));
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("ETag", "\"v1\"").add("content-type", "application/json; charset=utf-8")
        .add("content-length", "40");
    assertThat(ResponsePatcher.status(p, 200)).isEqualTo(500);
    ResponsePatcher.headers(p, h);
    assertThat(h.get("etag")).isNull();
    assertThat(h.get("x-fault")).isEqualTo("yes");
    Buffer out = ResponsePatcher.body(p, Buffer.buffer("{\"id\":7,\"price\":12.5,\"internal\":{\"a\":1}}"), h);
    assertThat(new JsonObject(out)).isEqualTo(new JsonObject().put("id", 7).put("price", 0));
    assertThat(h.get("content-length")).isEqualTo(String.valueOf(out.length()));
  }

  @Test
  void mergePatchLeavesNonJsonAloneAndBodyReplaces() {
    PatchSpec mp = patch(Map.of("merge_patch", Map.of("a", 1)));
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("content-type", "text/plain");
    Buffer body = Buffer.buffer("{\"a\":0}");
    assertThat(ResponsePatcher.body(mp, body, h)).isSameAs(body);
    MultiMap hj = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/problem+json");
    assertThat(ResponsePatcher.body(mp, Buffer.buffer("not json"), hj).toString()).isEqualTo("not json");
    PatchSpec replace = patch(Map.of("body", "replaced"));
    assertThat(ResponsePatcher.body(replace, body, h).toString()).isEqualTo("replaced");
    assertThat(h.get("content-length")).isEqualTo("8");
  }
}
