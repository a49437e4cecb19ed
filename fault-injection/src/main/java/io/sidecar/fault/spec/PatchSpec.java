package io.sidecar.fault.spec;

import java.util.List;
import java.util.Map;

/**
 * Replace or patch the upstream response (Chaos Mesh's HTTPChaos replace/patch).
 *
 * @param status new status, or null to keep it
 * @param setHeaders headers to set (replacing any existing value)
 * @param removeHeaders header names to remove (lower-case)
 * @param body replacement body, or null
 * @param mergePatch JSON merge patch (RFC 7386) applied to a JSON body, or null; never together with body
 */
public record PatchSpec(
    Integer status,
    Map<String, String> setHeaders,
    List<String> removeHeaders,
    String body,
    Map<String, Object> mergePatch) {

  public PatchSpec {
    setHeaders = setHeaders == null ? Map.of() : Map.copyOf(setHeaders);
    // mergePatch is kept as given: RFC 7386 uses null values to delete members, Map.copyOf rejects them.
    removeHeaders = removeHeaders == null ? List.of() : List.copyOf(removeHeaders);
  }

  /** True when the body must be buffered to apply this patch. */
  public boolean changesBody() {
    return body != null || mergePatch != null;
  }
}
