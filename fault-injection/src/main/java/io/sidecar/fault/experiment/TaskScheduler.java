package io.sidecar.fault.experiment;

import java.time.Duration;

/**
 * Runs tasks later. Production: {@code io.sidecar.fault.vertx.VertxTaskScheduler} (Vert.x timers);
 * tests: {@link VirtualTime}.
 */
public interface TaskScheduler {

  /** A scheduled task that can be cancelled (cancel after it ran is a no-op). */
  interface Cancellable {
    void cancel();
  }

  Cancellable schedule(Duration delay, Runnable task);

  Cancellable scheduleEvery(Duration period, Runnable task);
}
