package io.sidecar.proxy;

import io.sidecar.config.HostPort;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** One upstream endpoint of a cluster with its live counters (kept across reloads while its address stays). */
public final class Endpoint {
  private final HostPort address;
  private volatile int weight;
  private final AtomicLong active = new AtomicLong();
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder latencyMicrosTotal = new LongAdder();

  public Endpoint(HostPort address, int weight) {
    this.address = address;
    this.weight = weight;
  }

  public HostPort address() { return address; }
  public int weight() { return weight; }
  void weight(int weight) { this.weight = weight; }
  public long active() { return active.get(); }
  public long requests() { return requests.sum(); }
  public long failures() { return failures.sum(); }

  /** Mean latency of completed requests, in milliseconds (0 before the first). */
  public double meanLatencyMillis() {
    long n = requests.sum();
    return n == 0 ? 0 : latencyMicrosTotal.sum() / 1000.0 / n;
  }

  void started() {
    active.incrementAndGet();
  }

  void finished(long latencyNanos, boolean failed) {
    active.decrementAndGet();
    requests.increment();
    latencyMicrosTotal.add(latencyNanos / 1000);
    if (failed) failures.increment();
  }
}
