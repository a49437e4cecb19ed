package io.sidecar.fault.experiment;

import java.time.Duration;

/**
 * @param evaluationInterval how often halt conditions are checked (the worst-case reaction time)
 * @param historySize how many ended experiments {@code GET /experiments} keeps
 */
public record ExperimentsConfig(Duration evaluationInterval, int historySize) {
  public static final Duration DEFAULT_EVALUATION_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_HISTORY_SIZE = 100;

  public static ExperimentsConfig defaults() {
    return new ExperimentsConfig(DEFAULT_EVALUATION_INTERVAL, DEFAULT_HISTORY_SIZE);
  }
}
