package io.sidecar.fault.tcp;

import io.sidecar.fault.AuditEvent;
import io.sidecar.fault.AuditLog;
import io.sidecar.fault.SeededRandom;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The named TCP proxies ({@code GET/POST/DELETE /tcp-proxies[/{name}/toxics]}), with every change
 * audited. Thread-safe.
 */
public final class TcpProxies {

  private final Vertx vertx;
  private final SeededRandom random;
  private final AuditLog audit;
  private final Clock clock;
  private final ConcurrentMap<String, TcpProxy> proxies = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Boolean> starting = new ConcurrentHashMap<>();

  public TcpProxies(Vertx vertx, SeededRandom random, AuditLog audit, Clock clock) {
    this.vertx = vertx;
    this.random = random;
    this.audit = audit;
    this.clock = clock;
  }

  /** Starts a proxy; fails with IllegalStateException when the name is taken (API: 409). */
  public Future<TcpProxy> create(TcpProxySpec spec, String actor) {
    if (proxies.containsKey(spec.name()) || starting.putIfAbsent(spec.name(), Boolean.TRUE) != null) {
      return Future.failedFuture(new IllegalStateException("tcp proxy '" + spec.name() + "' already exists"));
    }
    return TcpProxy.start(vertx, spec, random).andThen(ar -> {
      starting.remove(spec.name());
      if (ar.succeeded()) {
        proxies.put(spec.name(), ar.result());
        audit.record(new AuditEvent(clock.instant(), actor, "tcp-proxy.create", spec.name(),
            spec.listenHost() + ":" + ar.result().listenPort() + " -> " + spec.upstreamHost() + ":" + spec.upstreamPort()
                + " toxics=" + spec.toxics().size()));
      }
    });
  }

  /** Stops and removes a proxy; false when unknown. */
  public Future<Boolean> delete(String name, String actor) {
    TcpProxy p = proxies.remove(name);
    if (p == null) return Future.succeededFuture(false);
    audit.record(new AuditEvent(clock.instant(), actor, "tcp-proxy.delete", name, ""));
    return p.close().map(true);
  }

  public Optional<TcpProxy> get(String name) {
    return Optional.ofNullable(proxies.get(name));
  }

  public List<TcpProxy> list() {
    return new ArrayList<>(proxies.values());
  }

  /**
   * Adds a toxic. Throws NoSuchElementException for an unknown proxy (404) and
   * IllegalArgumentException for a duplicate toxic name (409).
   */
  public void addToxic(String proxyName, ToxicSpec toxic, String actor) {
    TcpProxy p = proxies.get(proxyName);
    if (p == null) throw new NoSuchElementException("no tcp proxy '" + proxyName + "'");
    p.addToxic(toxic);
    audit.record(new AuditEvent(clock.instant(), actor, "toxic.add", proxyName + "/" + toxic.name(),
        toxic.type().wireName() + " " + toxic.stream().name().toLowerCase() + " toxicity=" + toxic.toxicity()));
  }

  /** Removes a toxic; false when the proxy or the toxic is unknown. */
  public boolean removeToxic(String proxyName, String toxicName, String actor) {
    TcpProxy p = proxies.get(proxyName);
    if (p == null || p.removeToxic(toxicName).isEmpty()) return false;
    audit.record(new AuditEvent(clock.instant(), actor, "toxic.remove", proxyName + "/" + toxicName, ""));
    return true;
  }

  /** Removes every toxic on every proxy (part of stop-all); returns how many. */
  public int clearAllToxics(String actor) {
    int n = 0;
    for (TcpProxy p : proxies.values()) n += p.clearToxics();
    if (n > 0) audit.record(new AuditEvent(clock.instant(), actor, "toxic.clear-all", "*", "removed=" + n));
    return n;
  }

  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    for (TcpProxy p : proxies.values()) all.add(p.close());
    proxies.clear();
    return Future.all(all).mapEmpty();
  }
}
