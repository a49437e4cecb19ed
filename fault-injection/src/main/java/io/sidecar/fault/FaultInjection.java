package io.sidecar.fault;

import io.sidecar.fault.experiment.ExperimentController;
import io.sidecar.fault.experiment.RouteSignals;
import io.sidecar.fault.experiment.TaskScheduler;
import io.sidecar.fault.tcp.TcpProxies;
import io.sidecar.fault.vertx.VertxTaskScheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The module wired together, for the sidecar's main: the {@link FaultRegistry} (per-request
 * decisions, API faults, static faults), the {@link ExperimentController}, the {@link TcpProxies}
 * and the shared {@link AuditLog}.
 */
public final class FaultInjection {

  private final FaultRegistry registry;
  private final ExperimentController experiments;
  private final TcpProxies tcpProxies;
  private final AuditLog audit;

  public FaultInjection(FaultRegistry registry, ExperimentController experiments, TcpProxies tcpProxies, AuditLog audit) {
    this.registry = registry;
    this.experiments = experiments;
    this.tcpProxies = tcpProxies;
    this.audit = audit;
  }

  /** Production wiring: Vert.x timers, the system clock, an in-memory audit log unless one is given. */
  public static FaultInjection create(Vertx vertx, FaultInjectionConfig config, RouteSignals signals, AuditLog audit) {
    Clock clock = Clock.systemUTC();
    FaultRegistry registry = new FaultRegistry(config.registry(), clock, audit);
    TaskScheduler scheduler = new VertxTaskScheduler(vertx);
    ExperimentController experiments = new ExperimentController(config.experiments(), registry, signals, scheduler);
    Long seed = config.registry().seed();
    TcpProxies tcp = new TcpProxies(vertx, seed == null ? SeededRandom.unseeded() : new SeededRandom(seed ^ 0x7C9L), audit, clock);
    return new FaultInjection(registry, experiments, tcp, audit);
  }

  public FaultRegistry registry() {
    return registry;
  }

  public ExperimentController experiments() {
    return experiments;
  }

  public TcpProxies tcpProxies() {
    return tcpProxies;
  }

  public AuditLog audit() {
    return audit;
  }

  /**
   * {@code POST /faults/stop-all}: ends every experiment, removes every HTTP fault and every TCP
   * toxic, suspends header-driven faults. Effective for the next request / chunk.
   *
   * @return how many faults and toxics were removed
   */
  public int stopAll(String actor) {
    return experiments.stopAll(actor) + tcpProxies.clearAllToxics(actor);
  }

  public Future<Void> close() {
    experiments.close();
    return tcpProxies.close();
  }
}
