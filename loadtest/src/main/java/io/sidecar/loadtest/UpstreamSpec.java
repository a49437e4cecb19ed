package io.sidecar.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One test upstream: a name (echoed in the {@code x-upstream} response header), a loopback port and a fixed
 * delay before it answers. Written on the command line as {@code name:port[:delayMillis]}.
 */
public record UpstreamSpec(String name, int port, Duration delay) {

  public UpstreamSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(delay, "delay");
    if (name.isBlank()) throw new IllegalArgumentException("upstream name is empty");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    if (delay.isNegative()) throw new IllegalArgumentException("delay is negative: " + delay);
  }

  /** Parses {@code name:port} or {@code name:port:delayMillis}. */
  public static UpstreamSpec parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException("expected name:port[:delayMillis], got '" + text + "'");
    }
    try {
      int port = Integer.parseInt(parts[1]);
      long delayMillis = parts.length == 3 ? Long.parseLong(parts[2]) : 0;
      return new UpstreamSpec(parts[0], port, Duration.ofMillis(delayMillis));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected name:port[:delayMillis], got '" + text + "'", e);
    }
  }

  public static List<UpstreamSpec> parseAll(String... args) {
    List<UpstreamSpec> specs = new ArrayList<>();
    for (String arg : args) specs.add(parse(arg));
    if (specs.isEmpty()) throw new IllegalArgumentException("no upstream given (name:port[:delayMillis] ...)");
    return List.copyOf(specs);
  }
}
