package io.sidecar.fault.tcp;

import io.sidecar.config.HostPort;
import io.sidecar.fault.AuditEvent;
import io.sidecar.fault.AuditLog;
import io.sidecar.fault.SeededRandom;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private volatile ListenGuard servers = ListenGuard.NONE;
  /** The address each proxy's guard holds (from the check before its bind until its listener closes). */
  private final Map<ListenGuard, TcpProxySpec> held = new HashMap<>();

  public TcpProxies(Vertx vertx, SeededRandom random, AuditLog audit, Clock clock) {
    this.vertx = vertx;
    this.random = random;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * The sidecar's own servers, which no proxy may listen beside ({@link ListenGuard}); asked at every listen, so it
   * may follow config reloads.
   */
  public void guardAgainst(ListenGuard servers) {
    this.servers = servers;
  }

  /**
   * The guard of one proxy's listens: one of our servers, or another proxy holding an overlapping address, refuses
   * it; otherwise the address is held for this proxy until it releases it. Checking and holding happen under one
   * lock, so two proxies binding one port at the same moment cannot both pass (Vert.x would let both bind it).
   */
  private ListenGuard guardFor(String name) {
    return new ListenGuard() {
      @Override
      public String holder(HostPort address) {
        synchronized (held) {
          String holder = servers.holder(address);
          if (holder == null) holder = proxyOn(address, name);
          if (holder == null) held.put(this, holding(name, address));
          return holder;
        }
      }

      @Override
      public void bound(HostPort actual) {
        synchronized (held) {
          held.replace(this, holding(name, actual));
        }
      }

      @Override
      public void released() {
        synchronized (held) {
          held.remove(this);
        }
      }
    };
  }

  /** What {@link #held} keeps of a proxy: its name and the address it holds. */
  private static TcpProxySpec holding(String name, HostPort address) {
    return new TcpProxySpec(name, address.host(), address.port(), "", 0, List.of());
  }

  /**
   * The proxy listening, or about to, on an address overlapping {@code address} ("tcp proxy redis uses
   * 127.0.0.1:26379"), or null: a listener added by a reload may not go there either.
   */
  public String proxyOn(HostPort address) {
    return proxyOn(address, null);
  }

  /**
   * Holders other than proxy {@code except}. A proxy deleted and created again under its name may hold the port
   * twice for a moment, the old one closing: the new one goes through, as a bind after a close does.
   */
  private String proxyOn(HostPort address, String except) {
    synchronized (held) {
      return TcpProxySpec.holderAmong(address, held.values(), except);
    }
  }

  /** Starts a proxy; fails with IllegalStateException when the name is taken (API: 409). */
  public Future<TcpProxy> create(TcpProxySpec spec, String actor) {
    return create(spec, true, actor);
  }

  /**
   * Creates a proxy, listening at once when {@code enabled} (Toxiproxy's {@code enabled} field); a disabled one
   * binds nothing until enabled. Fails with IllegalStateException when the name is taken (API: 409).
   */
  public Future<TcpProxy> create(TcpProxySpec spec, boolean enabled, String actor) {
    if (proxies.containsKey(spec.name()) || starting.putIfAbsent(spec.name(), Boolean.TRUE) != null) {
      return Future.failedFuture(new IllegalStateException("tcp proxy '" + spec.name() + "' already exists"));
    }
    return TcpProxy.start(vertx, spec, random, enabled, guardFor(spec.name())).andThen(ar -> {
      starting.remove(spec.name());
      if (ar.succeeded()) {
        proxies.put(spec.name(), ar.result());
        audit.record(new AuditEvent(clock.instant(), actor, "tcp-proxy.create", spec.name(),
            addresses(spec, ar.result()) + " toxics=" + spec.toxics().size() + (enabled ? "" : " disabled")));
      }
    });
  }

  /**
   * Enables or disables a proxy (Toxiproxy's {@code enabled}): disabled stops listening and closes its
   * connections, enabled listens again on the same port. Fails with NoSuchElementException for an unknown proxy,
   * or with the bind error when listening again fails (the proxy then stays disabled).
   */
  public Future<TcpProxy> setEnabled(String name, boolean enabled, String actor) {
    TcpProxy p = proxies.get(name);
    if (p == null) return Future.failedFuture(unknown(name));
    boolean was = p.enabled();
    return p.setEnabled(enabled).map(v -> {
      if (was != enabled) {
        audit.record(new AuditEvent(clock.instant(), actor, enabled ? "tcp-proxy.enable" : "tcp-proxy.disable", name, ""));
      }
      return p;
    });
  }

  /**
   * Moves a proxy to new listen/upstream addresses, keeping its toxics (Toxiproxy's proxy update): open
   * connections are closed and the proxy starts again, enabled or not as asked. When the new address cannot be
   * bound the proxy is kept, disabled, with the new addresses, and the future fails with the bind error.
   * NoSuchElementException for an unknown proxy; IllegalStateException while it is being created or moved.
   */
  public Future<TcpProxy> move(String name, String listenHost, int listenPort, String upstreamHost, int upstreamPort,
      boolean enabled, String actor) {
    TcpProxy old = proxies.get(name);
    if (old == null) return Future.failedFuture(unknown(name));
    if (starting.putIfAbsent(name, Boolean.TRUE) != null) {
      return Future.failedFuture(new IllegalStateException("tcp proxy '" + name + "' is being changed"));
    }
    TcpProxySpec next = new TcpProxySpec(name, listenHost, listenPort, upstreamHost, upstreamPort, old.toxics());
    Promise<TcpProxy> done = Promise.promise();
    old.close().onComplete(closed -> TcpProxy.start(vertx, next, random, enabled, guardFor(name)).onComplete(ar -> {
      if (ar.succeeded()) {
        install(next, ar.result(), actor);
        done.complete(ar.result());
      } else {
        TcpProxy.start(vertx, next, random, false, guardFor(name)).onComplete(disabled -> {
          install(next, disabled.result(), actor);
          done.fail(ar.cause());
        });
      }
    }));
    return done.future();
  }

  private void install(TcpProxySpec spec, TcpProxy p, String actor) {
    proxies.put(spec.name(), p);
    starting.remove(spec.name());
    audit.record(new AuditEvent(clock.instant(), actor, "tcp-proxy.update", spec.name(),
        addresses(spec, p) + (p.enabled() ? "" : " disabled")));
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
    if (p == null) throw unknown(proxyName);
    p.addToxic(toxic);
    audit.record(new AuditEvent(clock.instant(), actor, "toxic.add", proxyName + "/" + toxic.name(),
        describe(toxic)));
  }

  /**
   * Replaces a toxic by name (Toxiproxy's toxic update). Throws NoSuchElementException when the proxy or the
   * toxic is unknown (404).
   */
  public void updateToxic(String proxyName, ToxicSpec toxic, String actor) {
    TcpProxy p = proxies.get(proxyName);
    if (p == null) throw unknown(proxyName);
    if (p.replaceToxic(toxic).isEmpty()) throw new NoSuchElementException("no toxic '" + toxic.name() + "' on " + proxyName);
    audit.record(new AuditEvent(clock.instant(), actor, "toxic.update", proxyName + "/" + toxic.name(),
        describe(toxic)));
  }

  /**
   * Toxiproxy's reset: every proxy enabled again and every toxic removed. The future fails with the first bind
   * error if a proxy could not listen again (the others are still reset).
   */
  public Future<Void> reset(String actor) {
    List<Future<?>> all = new ArrayList<>();
    int removed = 0;
    for (TcpProxy p : proxies.values()) {
      removed += p.clearToxics();
      all.add(p.setEnabled(true));
    }
    audit.record(new AuditEvent(clock.instant(), actor, "tcp-proxy.reset", "*", "toxics removed=" + removed));
    return Future.join(all).mapEmpty();
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

  /** The audit log's "listen -> upstream" of a proxy. */
  private static String addresses(TcpProxySpec spec, TcpProxy proxy) {
    return spec.listenHost() + ":" + proxy.listenPort() + " -> " + spec.upstreamHost() + ":" + spec.upstreamPort();
  }

  /** The audit log's description of a toxic. */
  private static String describe(ToxicSpec toxic) {
    return toxic.type().wireName() + " " + toxic.stream().name().toLowerCase() + " toxicity=" + toxic.toxicity();
  }

  private static NoSuchElementException unknown(String proxyName) {
    return new NoSuchElementException("no tcp proxy '" + proxyName + "'");
  }
}
