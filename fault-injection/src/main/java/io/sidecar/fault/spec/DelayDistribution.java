package io.sidecar.fault.spec;

import io.sidecar.fault.SeededRandom;
import java.time.Duration;
import java.util.Map;

/** How long a delay lasts; {@link #sampleNanos} draws one value (never negative). */
public sealed interface DelayDistribution {

  long sampleNanos(SeededRandom random);

  /** Always the same delay. */
  record Fixed(Duration delay) implements DelayDistribution {
    @Override
    public long sampleNanos(SeededRandom random) {
      return delay.toNanos();
    }
  }

  /** Uniform in [min, max] ({@code fixed: 200ms, jitter: 50ms} is uniform in [150ms, 250ms]). */
  record Uniform(Duration min, Duration max) implements DelayDistribution {
    @Override
    public long sampleNanos(SeededRandom random) {
      long lo = min.toNanos();
      long hi = max.toNanos();
      return lo + (long) (random.nextDouble() * (hi - lo));
    }
  }

  /**
   * Normal distribution fitted to two given percentiles (clipped at 0): with z_a, z_b the standard
   * normal quantiles of the two probabilities, sigma = (v_b - v_a) / (z_b - z_a) and
   * mean = v_a - z_a * sigma (the quantile function of N(mean, sigma) is mean + sigma * z).
   */
  record Normal(Map<String, Duration> percentiles, double meanNanos, double sigmaNanos)
      implements DelayDistribution {
    @Override
    public long sampleNanos(SeededRandom random) {
      return Math.max(0L, Math.round(meanNanos + sigmaNanos * random.nextGaussian()));
    }
  }

  /**
   * Log-normal distribution fitted to two given percentiles: the same fit as {@link Normal} done on
   * ln(value), so mu and sigma are the parameters of the underlying normal of ln(delay).
   */
  record LogNormal(Map<String, Duration> percentiles, double mu, double sigma)
      implements DelayDistribution {
    @Override
    public long sampleNanos(SeededRandom random) {
      return Math.round(Math.exp(mu + sigma * random.nextGaussian()));
    }
  }
}
