package io.sidecar.config;

import java.util.List;
import java.util.Map;

/** Headers to set (replacing any value) and to remove, on the request to the upstream or the response. */
public record HeaderMutationSpec(Map<String, String> set, List<String> remove) {
  public static final HeaderMutationSpec NONE = new HeaderMutationSpec(Map.of(), List.of());

  public boolean isEmpty() {
    return set.isEmpty() && remove.isEmpty();
  }
}
