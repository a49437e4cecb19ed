package io.sidecar.predictor.signals;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Heap per {@link TrafficSignals} and the cost of its once-a-second {@code tick} and of a {@code snapshot}: 40 of
 * them, each fed 2 000 latencies a second (lognormal, median 2 ms, sigma 0.5; both settable: {@code [PER_SECOND
 * [SIGMA]]}) for 140 ticks, and 40 that only tick (an idle
 * endpoint); heap measured after GC, against the heap before they existed. Not a test: run it (predictor/README.md,
 * "Memory of the signals").
 */
public final class SignalsFootprint {
  private SignalsFootprint() {}

  public static void main(String[] args) throws InterruptedException {
    int count = 40;
    // optional: values a second per signals, and the spread (sigma of the log-normal; 0.5 by default)
    int perSecond = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    double sigma = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
    Runtime rt = Runtime.getRuntime();
    long before = usedAfterGc(rt);
    SplittableRandom random = new SplittableRandom(1);
    TrafficSignals[] all = new TrafficSignals[count];
    for (int k = 0; k < count; k++) all[k] = new TrafficSignals("endpoint", "e" + k);
    Instant start = Instant.parse("2026-12-06T00:00:00Z");
    long tickNanos = 0;
    long snapshotNanos = 0;
    int timed = 0;
    for (int t = 0; t < 140; t++) {
      for (TrafficSignals s : all) {
        for (int i = 0; i < perSecond; i++) {
          s.begin();
          s.record((long) Math.exp(random.nextGaussian() * sigma + Math.log(2_000_000)), 200, null, 1024);
        }
      }
      long t0 = System.nanoTime();
      for (TrafficSignals s : all) s.tick(start.plusSeconds(t));
      long t1 = System.nanoTime();
      for (TrafficSignals s : all) s.snapshot();
      long t2 = System.nanoTime();
      if (t >= 70) {
        tickNanos += t1 - t0;
        snapshotNanos += t2 - t1;
        timed++;
      }
    }
    long perSignals = (usedAfterGc(rt) - before) / count;
    long beforeIdle = usedAfterGc(rt);
    TrafficSignals[] idle = new TrafficSignals[count];
    for (int k = 0; k < count; k++) {
      idle[k] = new TrafficSignals("endpoint", "idle" + k);
      for (int t = 0; t < 70; t++) idle[k].tick(start.plusSeconds(t));
    }
    long perIdle = (usedAfterGc(rt) - beforeIdle) / count;
    System.out.printf("%d values/s, sigma %.2f: heap per TrafficSignals %d KiB (idle: %d KiB); tick %.1f us;"
            + " snapshot %.1f us (p99 of the last second %.3f ms)%n",
        perSecond, sigma, perSignals / 1024, perIdle / 1024, tickNanos / 1e3 / timed / count, snapshotNanos / 1e3 / timed / count,
        all[0].snapshot().last1s().p99Ms());
    if (idle[0].snapshot().totalRequests() != 0) throw new AssertionError("idle signals counted requests");
  }

  private static long usedAfterGc(Runtime rt) throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }
}
