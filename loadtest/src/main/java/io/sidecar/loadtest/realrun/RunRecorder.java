package io.sidecar.loadtest.realrun;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one open-model run saw, with the simulator's rules (balancer/README.md, section Simulator): latency is
 * measured from the intended send time; every request is in the percentiles, a timeout as the timeout (1000 ms);
 * success is a 2xx within the timeout. Per-window success is by intended send time. Thread-safe.
 */
public final class RunRecorder {
  private static final long MAX_MICROS = Duration.ofMinutes(2).toNanos() / 1000;

  private final long timeoutNanos;
  private final long windowNanos;
  private final Histogram latencyMicros = new ConcurrentHistogram(MAX_MICROS, 3);
  private final Histogram sendLagMicros = new ConcurrentHistogram(MAX_MICROS, 3);
  private final AtomicLongArray windowTotal;
  private final AtomicLongArray windowOk;
  private final LongAdder total = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private volatile long firstSendNanos = Long.MAX_VALUE;
  private volatile long lastSendNanos = Long.MIN_VALUE;
  private final LongAdder sent = new LongAdder();

  public RunRecorder(Duration timeout, Duration runLength, Duration window) {
    this.timeoutNanos = timeout.toNanos();
    this.windowNanos = window.toNanos();
    int windows = (int) Math.max(1, (runLength.toNanos() + windowNanos - 1) / windowNanos);
    this.windowTotal = new AtomicLongArray(windows);
    this.windowOk = new AtomicLongArray(windows);
  }

  /** A request left the generator {@code lagNanos} after its intended time (at {@code sendNanos}). */
  public void sent(long sendNanos, long lagNanos) {
    sent.increment();
    sendLagMicros.recordValue(Math.min(MAX_MICROS, Math.max(0, lagNanos / 1000)));
    if (sendNanos < firstSendNanos) firstSendNanos = sendNanos; // only the sending thread writes these
    if (sendNanos > lastSendNanos) lastSendNanos = sendNanos;
  }

  /** A response arrived {@code latencyNanos} after the intended send time. */
  public void response(long intendedOffsetNanos, long latencyNanos, int status) {
    if (latencyNanos > timeoutNanos) {
      timedOut(intendedOffsetNanos);
      return;
    }
    boolean success = status >= 200 && status < 300;
    if (!success) failures.computeIfAbsent("status " + status, k -> new LongAdder()).increment();
    record(intendedOffsetNanos, latencyNanos, success);
  }

  /** No answer within the timeout (the client gave up, or the generator was already late by the timeout). */
  public void timedOut(long intendedOffsetNanos) {
    timeouts.increment();
    record(intendedOffsetNanos, timeoutNanos, false);
  }

  /** The exchange failed before a response (reset, refused...) after {@code latencyNanos}. */
  public void error(long intendedOffsetNanos, long latencyNanos, String kind) {
    if (latencyNanos > timeoutNanos) {
      timedOut(intendedOffsetNanos);
      return;
    }
    failures.computeIfAbsent(kind, k -> new LongAdder()).increment();
    record(intendedOffsetNanos, latencyNanos, false);
  }

  private void record(long intendedOffsetNanos, long latencyNanos, boolean success) {
    total.increment();
    if (success) ok.increment();
    latencyMicros.recordValue(Math.min(MAX_MICROS, Math.max(0, latencyNanos / 1000)));
    int w = (int) Math.min(windowTotal.length() - 1, Math.max(0, intendedOffsetNanos / windowNanos));
    windowTotal.incrementAndGet(w);
    if (success) windowOk.incrementAndGet(w);
  }

  public long total() {
    return total.sum();
  }

  public LoadSummary summary() {
    long n = total.sum();
    List<Double> windows = new ArrayList<>();
    for (int i = 0; i < windowTotal.length(); i++) {
      long t = windowTotal.get(i);
      windows.add(t == 0 ? Double.NaN : 100.0 * windowOk.get(i) / t);
    }
    Map<String, Long> failureKinds = new TreeMap<>();
    if (timeouts.sum() > 0) failureKinds.put("timeout", timeouts.sum());
    failures.forEach((k, v) -> failureKinds.put(k, v.sum()));
    long sentCount = sent.sum();
    double spanSeconds = (lastSendNanos - firstSendNanos) / 1e9;
    return new LoadSummary(
        n,
        millis(latencyMicros, 50), millis(latencyMicros, 90), millis(latencyMicros, 99), millis(latencyMicros, 99.9),
        n == 0 ? Double.NaN : 100.0 * ok.sum() / n,
        n - ok.sum(),
        failureKinds,
        windows,
        windowNanos / 1e9,
        sentCount > 1 && spanSeconds > 0 ? (sentCount - 1) / spanSeconds : Double.NaN,
        millis(sendLagMicros, 99), sendLagMicros.getMaxValue() / 1000.0);
  }

  private static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
