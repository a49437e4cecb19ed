package io.sidecar.config;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the configuration in force as one immutable {@link Snapshot}, swapped atomically. A rejected candidate
 * leaves the snapshot in force untouched and is remembered (with its errors) for {@code GET /config/status}.
 */
public final class ConfigStore {

  /** The configuration in force and its version (1 for the first load, +1 for every accepted reload). */
  public record Snapshot(long version, SidecarConfig config, Instant loadedAt) {}

  /**
   * What the last reload attempt did; {@code pendingRestart}: settings of the configuration in force that differ
   * from those the process started with and wait for a restart ({@link StartupSettings}).
   */
  public record Status(Snapshot current, Instant lastAttemptAt, boolean lastAttemptAccepted,
                       List<ConfigError> lastRejection, List<String> pendingRestart) {}

  private final Clock clock;
  private final SidecarConfig started;
  private final AtomicReference<Snapshot> current;
  private final AtomicReference<Status> status;
  private final List<Consumer<Snapshot>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ConfigStore(SidecarConfig initial, Clock clock) {
    this.clock = clock;
    this.started = initial;
    Snapshot first = new Snapshot(1, initial, clock.instant());
    this.current = new AtomicReference<>(first);
    this.status = new AtomicReference<>(new Status(first, first.loadedAt(), true, List.of(), List.of()));
  }

  /** The config the process started with: what its start-only settings (admin.address, toxiproxy_api…) run on. */
  public SidecarConfig started() {
    return started;
  }

  public Snapshot current() {
    return current.get();
  }

  public Status status() {
    return status.get();
  }

  /** Called with every newly accepted snapshot, on the thread that accepted it. */
  public void onChange(Consumer<Snapshot> listener) {
    listeners.add(listener);
  }

  /** Installs a validated configuration as the next version and tells the listeners. */
  public synchronized Snapshot accept(SidecarConfig config) {
    Snapshot next = new Snapshot(current.get().version() + 1, config, clock.instant());
    current.set(next);
    status.set(new Status(next, next.loadedAt(), true, List.of(), StartupSettings.pendingRestart(started, config)));
    for (Consumer<Snapshot> listener : listeners) {
      listener.accept(next);
    }
    return next;
  }

  /**
   * Puts {@code previous} back in force after an accepted candidate could not be applied, recording why; the
   * listeners hear of it as of any change.
   */
  public synchronized void rollback(Snapshot previous, List<ConfigError> errors) {
    current.set(previous);
    status.set(new Status(previous, clock.instant(), false, List.copyOf(errors),
        StartupSettings.pendingRestart(started, previous.config())));
    for (Consumer<Snapshot> listener : listeners) {
      listener.accept(previous);
    }
  }

  /** Records a rejected candidate; the snapshot in force keeps serving. */
  public synchronized void reject(List<ConfigError> errors) {
    Status last = status.get();
    status.set(new Status(current.get(), clock.instant(), false, List.copyOf(errors), last.pendingRestart()));
  }
}
