package io.sidecar.proxy;

import io.sidecar.config.RouteSpec.WeightedCluster;
import java.util.List;

/** Picks a cluster of a route's split in proportion to the weights, from a uniform random draw. */
public final class WeightedSplit {
  private final String[] clusters;
  private final int[] cumulative;
  private final int total;

  public WeightedSplit(List<WeightedCluster> split) {
    clusters = new String[split.size()];
    cumulative = new int[split.size()];
    int sum = 0;
    for (int i = 0; i < split.size(); i++) {
      clusters[i] = split.get(i).cluster();
      sum += split.get(i).weight();
      cumulative[i] = sum;
    }
    total = sum;
  }

  public int totalWeight() {
    return total;
  }

  /** {@code draw} must be uniform in [0, totalWeight()). */
  public String pick(int draw) {
    if (clusters.length == 1) return clusters[0];
    for (int i = 0; i < cumulative.length; i++) {
      if (draw < cumulative[i]) return clusters[i];
    }
    return clusters[clusters.length - 1];
  }
}
