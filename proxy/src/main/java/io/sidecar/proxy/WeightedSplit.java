package io.sidecar.proxy;

import io.sidecar.config.RouteSpec.WeightedCluster;
import java.util.List;

/** Picks an entry of a route's split in proportion to the weights, from a uniform random draw. */
public final class WeightedSplit {
  private final int[] cumulative;
  private final int total;

  public WeightedSplit(List<WeightedCluster> split) {
    cumulative = new int[split.size()];
    int sum = 0;
    for (int i = 0; i < split.size(); i++) {
      sum += split.get(i).weight();
      cumulative[i] = sum;
    }
    total = sum;
  }

  public int totalWeight() {
    return total;
  }

  /** The index in the split of the entry for {@code draw}, which must be uniform in [0, totalWeight()). */
  public int pick(int draw) {
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (draw < cumulative[i]) return i;
    }
    return cumulative.length - 1;
  }
}
