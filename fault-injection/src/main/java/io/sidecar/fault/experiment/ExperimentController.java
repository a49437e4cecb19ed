package io.sidecar.fault.experiment;

import io.sidecar.fault.ActiveFault;
import io.sidecar.fault.AuditEvent;
import io.sidecar.fault.AuditLog;
import io.sidecar.fault.BlastRadius;
import io.sidecar.fault.FaultRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs experiments: starts them now or at their time, removes them when their duration has elapsed,
 * checks their halt conditions every {@link ExperimentsConfig#evaluationInterval()} and ends them on
 * the first breach (recording which condition and the observed value), and stops everything on
 * stop-all. An experiment's faults go into the {@link FaultRegistry} as one group sharing a
 * {@link BlastRadius}; ending it removes them in one change, effective for the next request.
 *
 * <p>Thread-safe (all state changes under this object's lock); scheduled callbacks may run on any thread.
 */
public final class ExperimentController implements AutoCloseable {

  private final ExperimentsConfig config;
  private final FaultRegistry registry;
  private final RouteSignals signals;
  private final TaskScheduler scheduler;
  private final Clock clock;
  private final AuditLog audit;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Experiment> live = new LinkedHashMap<>();
  private final ArrayDeque<Experiment> history = new ArrayDeque<>();
  private final TaskScheduler.Cancellable evaluator;

  private static final class Experiment {
    final String id;
    final ExperimentSpec spec;
    final String createdBy;
    final Instant startAt;
    final BlastRadius radius;
    ExperimentState state = ExperimentState.SCHEDULED;
    Instant endsAt;
    Instant endedAt;
    String endReason;
    List<String> faultIds = List.of();
    TaskScheduler.Cancellable pending;

    Experiment(String id, ExperimentSpec spec, String createdBy, Instant startAt) {
      this.id = id;
      this.spec = spec;
      this.createdBy = createdBy;
      this.startAt = startAt;
      this.radius = new BlastRadius(spec.blastRadiusPercent());
    }

    ExperimentView view() {
      return new ExperimentView(id, spec.name(), state, createdBy, startAt, endsAt, endedAt, endReason, faultIds,
          spec.blastRadiusPercent(), radius.seen(), radius.affected(), spec);
    }
  }

  public ExperimentController(ExperimentsConfig config, FaultRegistry registry, RouteSignals signals,
      TaskScheduler scheduler) {
    this.config = config;
    this.registry = registry;
    this.signals = signals;
    this.scheduler = scheduler;
    this.clock = registry.clock();
    this.audit = registry.audit();
    this.evaluator = scheduler.scheduleEvery(config.evaluationInterval(), this::evaluateHaltConditions);
  }

  /**
   * Starts (or schedules) an experiment. Throws {@link io.sidecar.fault.FaultLimitExceededException}
   * when it starts now and its faults would exceed the registry's limit (nothing changes then).
   */
  public synchronized ExperimentView start(ExperimentSpec spec, String actor) {
    Instant now = clock.instant();
    Instant startAt = spec.startAt() != null ? spec.startAt()
        : spec.startIn() != null ? now.plus(spec.startIn()) : now;
    Experiment e = new Experiment("e-" + ids.incrementAndGet(), spec, actor, startAt);
    Duration wait = Duration.between(now, startAt);
    if (wait.isNegative() || wait.isZero()) {
      activate(e); // throws on limit before anything is recorded
      live.put(e.id, e);
    } else {
      if (registry.activeCount() + spec.faults().size() > registry.maxActiveFaults()) {
        throw new io.sidecar.fault.FaultLimitExceededException(registry.activeCount(), spec.faults().size(),
            registry.maxActiveFaults());
      }
      live.put(e.id, e);
      e.pending = scheduler.schedule(wait, () -> scheduledStart(e.id));
      audit.record(new AuditEvent(now, actor, "experiment.schedule", e.id, "name=" + spec.name() + " start_at=" + startAt));
    }
    return e.view();
  }

  private synchronized void scheduledStart(String id) {
    Experiment e = live.get(id);
    if (e == null || e.state != ExperimentState.SCHEDULED) return;
    try {
      activate(e);
    } catch (RuntimeException ex) {
      e.state = ExperimentState.FAILED;
      e.endedAt = clock.instant();
      e.endReason = "could not start: " + ex.getMessage();
      retire(e);
      audit.record(new AuditEvent(e.endedAt, "system", "experiment.fail", e.id, e.endReason));
    }
  }

  private void activate(Experiment e) {
    List<ActiveFault> added = registry.addGroup(e.spec.faults(), ActiveFault.experimentSource(e.id), e.radius, e.createdBy);
    Instant now = clock.instant();
    e.faultIds = added.stream().map(ActiveFault::id).toList();
    e.state = ExperimentState.RUNNING;
    e.endsAt = now.plus(e.spec.duration());
    e.pending = scheduler.schedule(e.spec.duration(), () -> expire(e.id));
    audit.record(new AuditEvent(now, e.createdBy, "experiment.start", e.id,
        "name=" + e.spec.name() + " faults=" + e.faultIds + " duration=" + e.spec.duration()
            + " blast_radius=" + e.spec.blastRadiusPercent() + "%"));
  }

  private synchronized void expire(String id) {
    Experiment e = live.get(id);
    if (e != null && e.state == ExperimentState.RUNNING) end(e, "system", "duration elapsed");
  }

  /** Checks every running experiment's halt conditions; ends those that breach. */
  synchronized void evaluateHaltConditions() {
    for (Experiment e : new ArrayList<>(live.values())) {
      if (e.state != ExperimentState.RUNNING) continue;
      for (HaltCondition h : e.spec.haltConditions()) {
        double observed = h.observe(signals);
        if (h.breached(observed)) {
          end(e, "system", "halted: " + h.describe() + " (observed " + round(observed) + ")");
          break;
        }
      }
    }
  }

  private static String round(double v) {
    return String.valueOf(Math.round(v * 100.0) / 100.0);
  }

  /** Stops one experiment (scheduled or running); empty when unknown or already ended. */
  public synchronized Optional<ExperimentView> stop(String id, String actor) {
    Experiment e = live.get(id);
    if (e == null) return Optional.empty();
    end(e, actor, "stopped by " + actor);
    return Optional.of(e.view());
  }

  /**
   * Emergency stop: ends every scheduled and running experiment and removes every fault in the
   * registry (static, API and experiment), effective for the next request.
   *
   * @return the number of faults removed (what {@code POST /faults/stop-all} answers as {@code stopped})
   */
  public synchronized int stopAll(String actor) {
    String reason = "stop-all by " + actor;
    int removed = 0;
    for (Experiment e : new ArrayList<>(live.values())) removed += end(e, actor, reason);
    removed += registry.clear(actor, reason);
    audit.record(new AuditEvent(clock.instant(), actor, "stop-all", "*", "faults removed=" + removed));
    return removed;
  }

  private int end(Experiment e, String actor, String reason) {
    if (e.pending != null) e.pending.cancel();
    int removed = registry.removeSource(ActiveFault.experimentSource(e.id), actor, reason);
    e.state = ExperimentState.ENDED;
    e.endedAt = clock.instant();
    e.endReason = reason;
    retire(e);
    audit.record(new AuditEvent(e.endedAt, actor, "experiment.end", e.id,
        "name=" + e.spec.name() + " reason=" + reason + " seen=" + e.radius.seen() + " affected=" + e.radius.affected()));
    return removed;
  }

  private void retire(Experiment e) {
    live.remove(e.id);
    history.addFirst(e);
    while (history.size() > config.historySize()) history.removeLast();
  }

  /** Live experiments first (in start order), then ended ones, newest first. */
  public synchronized List<ExperimentView> list() {
    List<ExperimentView> out = new ArrayList<>();
    for (Experiment e : live.values()) out.add(e.view());
    for (Experiment e : history) out.add(e.view());
    return out;
  }

  public synchronized Optional<ExperimentView> get(String id) {
    Experiment e = live.get(id);
    if (e != null) return Optional.of(e.view());
    for (Experiment h : history) if (h.id.equals(id)) return Optional.of(h.view());
    return Optional.empty();
  }

  public FaultRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    evaluator.cancel();
  }
}
