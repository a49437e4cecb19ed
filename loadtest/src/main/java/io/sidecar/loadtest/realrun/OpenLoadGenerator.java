package io.sidecar.loadtest.realrun;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * Sends GET requests at Poisson arrival times ({@link PoissonArrivals}) for a fixed time, whatever the responses
 * do (open model), and records each into a {@link RunRecorder} from its intended send time. Each request gets what
 * is left of the timeout counted from its intended time, so "within the timeout" means the same for a request the
 * generator sent late. The sender opens a new connection whenever every pooled one is busy, so the number of
 * connections is not a limit.
 */
public final class OpenLoadGenerator {
  private final RequestSender sender;
  private final double ratePerSecond;
  private final Duration timeout;

  public OpenLoadGenerator(RequestSender sender, double ratePerSecond, Duration timeout) {
    this.sender = sender;
    this.ratePerSecond = ratePerSecond;
    this.timeout = timeout;
  }

  /**
   * Runs from {@code startNanos} ({@link System#nanoTime()} scale) for {@code length}; returns once every request
   * has an outcome (at most the timeout plus a grace after the last send).
   */
  public RunRecorder run(long startNanos, Duration length, Duration window, RandomGenerator random)
      throws InterruptedException {
    RunRecorder recorder = new RunRecorder(timeout, length, window);
    PoissonArrivals arrivals = new PoissonArrivals(ratePerSecond, random);
    Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    long lengthNanos = length.toNanos();
    long timeoutNanos = timeout.toNanos();
    for (long offset = arrivals.next(); offset < lengthNanos; offset = arrivals.next()) {
      long intended = startNanos + offset;
      for (long wait = intended - System.nanoTime(); wait > 0; wait = intended - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      if (Thread.interrupted()) throw new InterruptedException();
      long now = System.nanoTime();
      recorder.sent(now, now - intended);
      long left = timeoutNanos - (now - intended);
      if (left <= 0) {
        recorder.timedOut(offset);   // the generator itself is a timeout late: counted, not sent
        continue;
      }
      InFlight request = new InFlight(offset, intended);
      inFlight.add(request);
      sender.send(left, new RequestSender.Outcome() {
        @Override
        public void response(int status) {
          if (inFlight.remove(request)) {
            recorder.response(request.offsetNanos(), System.nanoTime() - request.intendedNanos(), status);
          }
        }

        @Override
        public void failed(Throwable cause, boolean timedOut) {
          if (!inFlight.remove(request)) return;
          if (timedOut) recorder.timedOut(request.offsetNanos());
          else recorder.error(request.offsetNanos(), System.nanoTime() - request.intendedNanos(), cause.getClass().getSimpleName());
        }
      });
    }
    // every request has a client timeout; the grace only catches one that never completes, counted as a timeout
    long giveUp = System.nanoTime() + timeoutNanos + Duration.ofSeconds(5).toNanos();
    while (!inFlight.isEmpty() && System.nanoTime() < giveUp) Thread.sleep(10);
    for (InFlight stuck : inFlight) {
      if (inFlight.remove(stuck)) recorder.timedOut(stuck.offsetNanos());
    }
    return recorder;
  }

  /** One request not yet recorded; identity equality, so the set holds each request once. */
  private static final class InFlight {
    private final long offsetNanos;
    private final long intendedNanos;

    InFlight(long offsetNanos, long intendedNanos) {
      this.offsetNanos = offsetNanos;
      this.intendedNanos = intendedNanos;
    }

    long offsetNanos() { return offsetNanos; }
    long intendedNanos() { return intendedNanos; }
  }
}
