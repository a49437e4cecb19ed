package io.sidecar.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One test upstream: a name (echoed in the {@code x-upstream} response header), a loopback port, a delay before
 * it answers and an optional spread of that delay. Written on the command line as
 * {@code name:port[:delayMillis[:sigma]]}: without sigma the delay is fixed; with it the delay is log-normal with
 * median {@code delayMillis} and shape {@code sigma} (the balancer simulator's endpoints use σ 0.3, see
 * balancer/README.md, section Simulator).
 */
public record UpstreamSpec(String name, int port, Duration delay, double sigma) {

  public UpstreamSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(delay, "delay");
    if (name.isBlank()) throw new IllegalArgumentException("upstream name is empty");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    if (delay.isNegative()) throw new IllegalArgumentException("delay is negative: " + delay);
    if (!(sigma >= 0 && sigma <= 3)) throw new IllegalArgumentException("sigma must be 0..3, was " + sigma);
  }

  /** A fixed delay. */
  public UpstreamSpec(String name, int port, Duration delay) {
    this(name, port, delay, 0);
  }

  /** The delay of one response: the fixed delay, or a log-normal draw around it (median = {@link #delay()}). */
  public long sampleDelayNanos(RandomGenerator random) {
    long median = delay.toNanos();
    if (sigma == 0 || median == 0) return median;
    return (long) (median * Math.exp(sigma * random.nextGaussian()));
  }

  /** Parses {@code name:port}, {@code name:port:delayMillis} or {@code name:port:delayMillis:sigma}. */
  public static UpstreamSpec parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length < 2 || parts.length > 4) {
      throw new IllegalArgumentException("expected name:port[:delayMillis[:sigma]], got '" + text + "'");
    }
    try {
      int port = Integer.parseInt(parts[1]);
      long delayMillis = parts.length >= 3 ? Long.parseLong(parts[2]) : 0;
      double sigma = parts.length == 4 ? Double.parseDouble(parts[3]) : 0;
      return new UpstreamSpec(parts[0], port, Duration.ofMillis(delayMillis), sigma);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected name:port[:delayMillis[:sigma]], got '" + text + "'", e);
    }
  }

  public static List<UpstreamSpec> parseAll(String... args) {
    List<UpstreamSpec> specs = new ArrayList<>();
    for (String arg : args) specs.add(parse(arg));
    if (specs.isEmpty()) throw new IllegalArgumentException("no upstream given (name:port[:delayMillis[:sigma]] ...)");
    return List.copyOf(specs);
  }
}
