package io.sidecar.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Virtual time and a timer that runs due tasks as time is advanced. */
final class VirtualTimer implements LazyDeadline.Scheduler {
  private record Task(long due, Runnable task, boolean[] cancelled) {}

  long now;
  int scheduled;
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public Runnable schedule(Runnable task, long delayNanos) {
    scheduled++;
    Task t = new Task(now + delayNanos, task, new boolean[1]);
    tasks.add(t);
    return () -> t.cancelled()[0] = true;
  }

  void advanceTo(long time) {
    while (true) {
      Task next = tasks.stream().filter(t -> t.due() - time <= 0).min(Comparator.comparingLong(Task::due)).orElse(null);
      if (next == null) break;
      tasks.remove(next);
      now = next.due();
      if (!next.cancelled()[0]) next.task().run();
    }
    now = time;
  }

  long pending() {
    return tasks.stream().filter(t -> !t.cancelled()[0]).count();
  }
}
