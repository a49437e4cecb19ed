package io.sidecar.proxy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Plain round robin over the endpoints, skipping those already tried by this request. */
public final class RoundRobinPicker implements EndpointPicker {
  private final AtomicInteger next = new AtomicInteger();

  @Override
  public Endpoint pick(List<Endpoint> endpoints, List<Endpoint> tried) {
    int n = endpoints.size();
    if (n == 0) return null;
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      Endpoint e = endpoints.get((start + i) % n);
      if (!tried.contains(e)) return e;
    }
    return endpoints.get(start);
  }
}
