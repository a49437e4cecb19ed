package io.sidecar.fault;

import io.sidecar.fault.spec.AbortSpec;
import io.sidecar.fault.spec.FaultSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The fault rules in force and the per-request decision.
 *
 * <p>Reads are lock-free: {@link #decide} reads one volatile {@link RuleSnapshot} (copy-on-write;
 * every change builds a new snapshot under a lock and publishes it) and walks only the rules that can
 * match the request's route (one hash lookup), so a change, including
 * {@link #clear stop-all}, is seen by the next request on every event loop. With no rule matching,
 * {@code decide} returns the shared {@link FaultDecision#NO_FAULT} without allocating; a rule that
 * matches draws from the seeded random source only when its percentage is below 100.
 *
 * <p>Rules of one experiment are added in one change, so they sit next to each other in the array;
 * the blast radius counts a request once per experiment.
 */
public final class FaultRegistry {

  private static final CompiledRule[] EMPTY = new CompiledRule[0];

  private final int maxActiveFaults;
  private final SeededRandom random;
  private final Clock clock;
  private final AuditLog audit;
  private final AtomicLong ids = new AtomicLong();
  private final Object writeLock = new Object();
  private volatile RuleSnapshot rules = RuleSnapshot.EMPTY;
  private volatile HeaderFaultConfig headerFaults;

  public FaultRegistry(FaultRegistryConfig config, Clock clock, AuditLog audit) {
    this.maxActiveFaults = config.maxActiveFaults();
    this.random = config.seed() == null ? SeededRandom.unseeded() : new SeededRandom(config.seed());
    this.headerFaults = config.headerFaults();
    this.clock = clock;
    this.audit = audit;
  }

  /**
   * Whether {@link #decide} could inject anything into a request on {@code route}: a rule that may match it exists,
   * or header-triggered faults are on. False lets a caller skip building a request view (the proxy's byte-level
   * path takes only requests no fault can touch).
   */
  public boolean mayAffect(String route) {
    return rules.forRoute(route).length > 0 || headerFaults.enabled();
  }

  /** The per-request decision; called from any event-loop thread. */
  public FaultDecision decide(RequestView request) {
    CompiledRule[] rs = rules.forRoute(request.route());
    HeaderFaultConfig hf = headerFaults;
    if (rs.length == 0 && !hf.enabled()) return FaultDecision.NO_FAULT;
    DecisionBuilder builder = null;
    BlastRadius counted = null;
    BlastRadius affected = null;
    for (CompiledRule rule : rs) {
      if (!rule.matches(request)) continue;
      BlastRadius radius = rule.blastRadius;
      if (radius != null && radius != counted) {
        radius.countSeen();
        counted = radius;
      }
      if (!random.chance(rule.percent)) continue;
      if (radius != null && radius != affected) {
        if (!radius.tryAffect()) continue;
        affected = radius;
      }
      if (builder == null) builder = new DecisionBuilder();
      builder.apply(rule.spec, random);
    }
    if (hf.enabled()) builder = applyHeaderFaults(hf, request, builder);
    return builder == null ? FaultDecision.NO_FAULT : builder.build();
  }

  private static DecisionBuilder applyHeaderFaults(HeaderFaultConfig hf, RequestView request, DecisionBuilder builder) {
    String delay = request.header(hf.delayHeader());
    if (delay != null) {
      try {
        long ms = Long.parseLong(delay.trim());
        if (ms > 0) {
          if (builder == null) builder = new DecisionBuilder();
          builder.headerDelay("header:" + hf.delayHeader(), Math.min(Duration.ofMillis(ms).toNanos(), hf.maxDelay().toNanos()));
        }
      } catch (NumberFormatException ignored) {
        // a malformed header is not a fault request
      }
    }
    String abortValue = request.header(hf.abortHeader());
    if (abortValue != null) {
      AbortSpec abort = parseAbortHeader(abortValue.trim().toLowerCase(Locale.ROOT));
      if (abort != null) {
        if (builder == null) builder = new DecisionBuilder();
        builder.headerAbort("header:" + hf.abortHeader(), abort);
      }
    }
    return builder;
  }

  static AbortSpec parseAbortHeader(String v) {
    switch (v) {
      case "reset": return new AbortSpec(AbortSpec.Kind.RESET, 0, null, Map.of());
      case "close": return new AbortSpec(AbortSpec.Kind.CLOSE, 0, null, Map.of());
      case "unavailable": return new AbortSpec(AbortSpec.Kind.UPSTREAM_UNAVAILABLE, 0, null, Map.of());
      default:
        try {
          int status = Integer.parseInt(v);
          return status >= 200 && status <= 599 ? AbortSpec.status(status) : null;
        } catch (NumberFormatException e) {
          return null;
        }
    }
  }

  /** Adds one fault from the API; throws {@link FaultLimitExceededException} beyond the limit. */
  public ActiveFault add(FaultSpec spec, String actor) {
    return addGroup(List.of(spec), ActiveFault.SOURCE_API, null, actor).get(0);
  }

  /**
   * Adds faults in one change (all or none). {@code blastRadius} is shared by the group (experiments),
   * or null.
   */
  public List<ActiveFault> addGroup(List<FaultSpec> specs, String source, BlastRadius blastRadius, String actor) {
    synchronized (writeLock) {
      CompiledRule[] current = rules.all();
      if (current.length + specs.size() > maxActiveFaults) {
        throw new FaultLimitExceededException(current.length, specs.size(), maxActiveFaults);
      }
      CompiledRule[] next = new CompiledRule[current.length + specs.size()];
      System.arraycopy(current, 0, next, 0, current.length);
      List<ActiveFault> added = new ArrayList<>(specs.size());
      for (int i = 0; i < specs.size(); i++) {
        ActiveFault f = new ActiveFault("f-" + ids.incrementAndGet(), specs.get(i), source, clock.instant(), actor);
        next[current.length + i] = new CompiledRule(f, blastRadius);
        added.add(f);
      }
      rules = RuleSnapshot.of(next);
      for (ActiveFault f : added) {
        audit.record(new AuditEvent(f.createdAt(), actor, "fault.add", f.id(),
            "name=" + f.spec().name() + " source=" + source + " kinds=" + f.spec().kinds() + " percent=" + f.spec().percent()));
      }
      return added;
    }
  }

  /**
   * Replaces the static (YAML) faults with {@code specs}, keeping API and experiment faults; used at
   * start and on config reload. Throws {@link FaultLimitExceededException} (nothing changes) when the
   * total would exceed the limit.
   */
  public List<ActiveFault> replaceStatic(List<FaultSpec> specs, String actor) {
    synchronized (writeLock) {
      int others = 0;
      for (CompiledRule r : rules.all()) if (!r.fault.source().equals(ActiveFault.SOURCE_STATIC)) others++;
      if (others + specs.size() > maxActiveFaults) {
        throw new FaultLimitExceededException(others, specs.size(), maxActiveFaults);
      }
      removeWhere(r -> r.fault.source().equals(ActiveFault.SOURCE_STATIC), actor, "replaced by config");
      return addGroup(specs, ActiveFault.SOURCE_STATIC, null, actor);
    }
  }

  /** Removes one fault; false when there is no such id. */
  public boolean remove(String id, String actor) {
    return removeWhere(r -> r.fault.id().equals(id), actor, "removed") > 0;
  }

  /** Removes every fault with this source (an experiment's faults when it ends); returns how many. */
  public int removeSource(String source, String actor, String reason) {
    return removeWhere(r -> r.fault.source().equals(source), actor, reason);
  }

  /**
   * Emergency stop: removes every fault (static, API and experiment) and suspends header-driven
   * faults until {@link #setHeaderFaults} is called again. Effective for the next request.
   *
   * @return the number of faults removed
   */
  public int clear(String actor, String reason) {
    synchronized (writeLock) {
      HeaderFaultConfig hf = headerFaults;
      if (hf.enabled()) {
        headerFaults = new HeaderFaultConfig(false, hf.delayHeader(), hf.abortHeader(), hf.maxDelay());
        audit.record(new AuditEvent(clock.instant(), actor, "header-faults.suspend", "headers", reason));
      }
      return removeWhere(r -> true, actor, reason);
    }
  }

  private int removeWhere(Predicate<CompiledRule> doomed, String actor, String reason) {
    synchronized (writeLock) {
      CompiledRule[] current = rules.all();
      List<CompiledRule> keep = new ArrayList<>(current.length);
      List<CompiledRule> gone = new ArrayList<>();
      for (CompiledRule r : current) (doomed.test(r) ? gone : keep).add(r);
      if (gone.isEmpty()) return 0;
      rules = RuleSnapshot.of(keep.toArray(EMPTY));
      for (CompiledRule r : gone) {
        audit.record(new AuditEvent(clock.instant(), actor, "fault.remove", r.fault.id(),
            "name=" + r.spec.name() + " reason=" + reason));
      }
      return gone.size();
    }
  }

  public void setHeaderFaults(HeaderFaultConfig config, String actor) {
    synchronized (writeLock) {
      headerFaults = config;
      audit.record(new AuditEvent(clock.instant(), actor, "header-faults.set", "headers", "enabled=" + config.enabled()));
    }
  }

  public HeaderFaultConfig headerFaults() {
    return headerFaults;
  }

  public List<ActiveFault> list() {
    CompiledRule[] rs = rules.all();
    List<ActiveFault> out = new ArrayList<>(rs.length);
    for (CompiledRule r : rs) out.add(r.fault);
    return out;
  }

  public Optional<ActiveFault> get(String id) {
    for (CompiledRule r : rules.all()) if (r.fault.id().equals(id)) return Optional.of(r.fault);
    return Optional.empty();
  }

  public int activeCount() {
    return rules.all().length;
  }

  public int maxActiveFaults() {
    return maxActiveFaults;
  }

  public Clock clock() {
    return clock;
  }

  public AuditLog audit() {
    return audit;
  }
}
