package io.sidecar.fault.vertx;

import io.sidecar.fault.experiment.TaskScheduler;
import io.vertx.core.Vertx;
import java.time.Duration;

/** {@link TaskScheduler} on Vert.x timers (millisecond resolution, at least 1 ms). */
public final class VertxTaskScheduler implements TaskScheduler {
  private final Vertx vertx;

  public VertxTaskScheduler(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> task.run());
    return () -> vertx.cancelTimer(id);
  }

  @Override
  public Cancellable scheduleEvery(Duration period, Runnable task) {
    long id = vertx.setPeriodic(Math.max(1, period.toMillis()), t -> task.run());
    return () -> vertx.cancelTimer(id);
  }
}
