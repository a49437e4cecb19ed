package io.sidecar.fault.experiment;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * Virtual time for tests: a {@link Clock}, a nano-time source and a {@link TaskScheduler} that only
 * move when {@link #advance} is called, running due tasks in time order on the caller's thread.
 */
public final class VirtualTime implements TaskScheduler {

  private final Instant epoch;
  private long nowNanos;
  private long sequence;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();

  public VirtualTime(Instant epoch) {
    this.epoch = epoch;
  }

  private final class Task implements Comparable<Task>, Cancellable {
    long due;
    final long seq = sequence++;
    final long period; // 0 = once
    final Runnable body;
    boolean cancelled;

    Task(long due, long period, Runnable body) {
      this.due = due;
      this.period = period;
      this.body = body;
    }

    @Override
    public int compareTo(Task o) {
      return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
    }

    @Override
    public void cancel() {
      synchronized (VirtualTime.this) {
        cancelled = true;
        tasks.remove(this);
      }
    }
  }

  public synchronized long nanoTime() {
    return nowNanos;
  }

  public synchronized Instant now() {
    return epoch.plusNanos(nowNanos);
  }

  public LongSupplier nanos() {
    return this::nanoTime;
  }

  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now();
      }
    };
  }

  /** Moves time forward by {@code d}, running every task that falls due, in order. */
  public synchronized void advance(Duration d) {
    long target = nowNanos + d.toNanos();
    int guard = 0;
    while (!tasks.isEmpty() && tasks.peek().due <= target) {
      if (++guard > 10_000_000) throw new IllegalStateException("runaway scheduling");
      Task t = tasks.poll();
      nowNanos = Math.max(nowNanos, t.due);
      if (t.period > 0) {
        t.due += t.period;
        tasks.add(t);
      }
      t.body.run();
    }
    nowNanos = target;
  }

  public synchronized int pendingTasks() {
    return tasks.size();
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(nowNanos + Math.max(0, delay.toNanos()), 0, task);
    tasks.add(t);
    return t;
  }

  @Override
  public synchronized Cancellable scheduleEvery(Duration period, Runnable task) {
    if (period.isZero() || period.isNegative()) throw new IllegalArgumentException("period must be positive");
    Task t = new Task(nowNanos + period.toNanos(), period.toNanos(), task);
    tasks.add(t);
    return t;
  }
}
