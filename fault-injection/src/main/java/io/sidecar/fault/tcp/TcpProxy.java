package io.sidecar.fault.tcp;

import io.sidecar.config.HostPort;
import io.sidecar.fault.SeededRandom;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Toxiproxy-style L4 proxy: a Vert.x {@link NetServer} that forwards each accepted connection to
 * the upstream address through the current toxics (see {@link ToxicConnection}). Toxics can be added
 * and removed at run time; existing connections see the change on their next chunk of data.
 * Thread-safe: toxic changes may come from any thread.
 *
 * <p>A {@code down} toxic at full toxicity takes the proxy down as Toxiproxy does: the listener stops (new
 * connections are refused) and open connections close; removing it listens again on the same port. At lower
 * toxicity it closes that share of connections right after they are accepted.
 *
 * <p>{@link #setEnabled(boolean) Disabling} a proxy does the same independently of its toxics (Toxiproxy's
 * {@code enabled: false}); enabling it listens again on the port it had.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final TcpProxySpec spec;
  private final SeededRandom random;
  private final NetClient client;
  private final Set<ToxicConnection> connections = ConcurrentHashMap.newKeySet();
  private volatile List<ToxicSpec> toxics;
  private final ListenGuard guard;
  private NetServer server;
  private int boundPort;
  private boolean closing;
  private volatile boolean enabled;
  private Future<Void> listening = Future.succeededFuture();

  private TcpProxy(Vertx vertx, TcpProxySpec spec, SeededRandom random, boolean enabled, ListenGuard guard) {
    this.vertx = vertx;
    this.guard = guard;
    this.spec = spec;
    this.random = random;
    this.enabled = enabled;
    this.toxics = List.copyOf(spec.toxics());
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000).setTcpNoDelay(true));
  }

  /** Starts listening; the future completes with the running proxy (or fails, e.g. port in use). */
  public static Future<TcpProxy> start(Vertx vertx, TcpProxySpec spec, SeededRandom random) {
    return start(vertx, spec, random, true);
  }

  /**
   * Starts a proxy; a disabled one binds nothing (and always succeeds) until {@link #setEnabled(boolean)
   * enabled}. An enabled one's future fails when the port cannot be bound.
   */
  public static Future<TcpProxy> start(Vertx vertx, TcpProxySpec spec, SeededRandom random, boolean enabled) {
    return start(vertx, spec, random, enabled, ListenGuard.NONE);
  }

  /**
   * As {@link #start(Vertx, TcpProxySpec, SeededRandom, boolean)}; every listen (this one and each one after a
   * disable or a {@code down} toxic) first asks {@code guard} whether another server uses the address, and fails
   * with a BindException naming it if so.
   */
  public static Future<TcpProxy> start(Vertx vertx, TcpProxySpec spec, SeededRandom random, boolean enabled,
                                       ListenGuard guard) {
    TcpProxy p = new TcpProxy(vertx, spec, random, enabled, guard);
    if (!enabled) return Future.succeededFuture(p);
    return p.listen(spec.listenPort()).map(v -> {
      p.syncListening();
      return p;
    });
  }

  /** How long a bind to a fixed port that was just released is retried (see {@link #listen(int, int)}). */
  private static final int BIND_RETRIES = 25;
  private static final long BIND_RETRY_MILLIS = 20;

  private Future<Void> listen(int port) {
    return listen(port, BIND_RETRIES);
  }

  /**
   * Binds; "address in use" on a fixed port is retried for up to half a second: a Vert.x server's close can
   * complete a moment before the kernel lets the port go (measured on Vert.x 5.0.7 with epoll: listen, close,
   * listen on the same port failed in 8 of 20 runs), and a proxy deleted and created again on its port (Toxiproxy's
   * populate, a move back) must not fail for it.
   */
  private Future<Void> listen(int port, int retries) {
    String holder = guard.holder(new HostPort(spec.listenHost(), port));
    if (holder != null) return Future.failedFuture(new java.net.BindException("Address already in use: " + holder));
    NetServer created = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true));
    created.connectHandler(this::accept);
    return created.listen(port, spec.listenHost()).map(s -> {
      synchronized (this) {
        server = s;
        boundPort = s.actualPort();
      }
      guard.bound(new HostPort(spec.listenHost(), s.actualPort()));
      return (Void) null;
    }).recover(err -> {
      if (port == 0 || retries <= 0 || !(err instanceof java.net.BindException)) {
        guard.released();
        return Future.failedFuture(err);
      }
      Promise<Void> again = Promise.promise();
      vertx.setTimer(BIND_RETRY_MILLIS, id -> listen(port, retries - 1).onComplete(again));
      return again.future();
    });
  }

  private boolean isDown() {
    if (!enabled) return true;
    for (ToxicSpec t : toxics) {
      if (t.type() == ToxicType.DOWN && t.toxicity() >= 1.0) return true;
    }
    return false;
  }

  /**
   * Stops or resumes listening to match the enabled flag and the toxics (disabled or a full-toxicity {@code down}
   * means not listening). Steps are chained, each deciding when it runs, so quick changes (disable then enable, or
   * a reset that enables and clears toxics) never bind twice or leave a listener that should be stopped.
   */
  private synchronized void syncListening() {
    if (closing) return;
    listening = listening.transform(ar -> reconcile());
  }

  private Future<Void> reconcile() {
    NetServer stop = null;
    int port;
    synchronized (this) {
      if (closing) return Future.succeededFuture();
      boolean down = isDown();
      if (down && server != null) {
        stop = server;
        server = null;
      } else if (down || server != null) {
        return Future.succeededFuture();
      }
      port = boundPort != 0 ? boundPort : spec.listenPort();
    }
    return stop != null ? closeListener(stop) : listen(port);
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Enables (listens again on the same port) or disables (stops listening, closes open connections) the proxy.
   * The future completes once the listener matches; when listening again fails (the port was taken meanwhile) it
   * fails and the proxy stays disabled.
   */
  public Future<Void> setEnabled(boolean on) {
    Future<Void> settled;
    synchronized (this) {
      if (closing) return Future.succeededFuture();
      enabled = on;
      syncListening();
      settled = listening;
    }
    if (!on) {
      for (ToxicConnection c : connections) c.closeFromAnyThread();
    }
    return settled.recover(err -> {
      synchronized (this) {
        if (server == null) enabled = false;
      }
      return Future.failedFuture(err);
    });
  }

  /** Completes when the listener matches the current toxics (for callers that must not race it). */
  public synchronized Future<Void> settled() {
    return listening;
  }

  private void accept(NetSocket downstream) {
    if (!enabled) { // accepted while the listener was being closed
      downstream.close();
      return;
    }
    ToxicConnection c = new ToxicConnection(vertx, this, downstream, random);
    connections.add(c);
    c.start(client, spec.upstreamHost(), spec.upstreamPort());
  }

  void forget(ToxicConnection c) {
    connections.remove(c);
  }

  public String name() {
    return spec.name();
  }

  public TcpProxySpec spec() {
    return new TcpProxySpec(spec.name(), spec.listenHost(), listenPort(), spec.upstreamHost(), spec.upstreamPort(), toxics);
  }

  /** The bound port (the real one when the spec asked for port 0). */
  public synchronized int listenPort() {
    return boundPort != 0 ? boundPort : spec.listenPort();
  }

  public List<ToxicSpec> toxics() {
    return toxics;
  }

  List<ToxicSpec> toxicsSnapshot() {
    return toxics;
  }

  public int connectionCount() {
    return connections.size();
  }

  /** Adds a toxic; throws IllegalArgumentException when the name is taken. */
  public synchronized void addToxic(ToxicSpec toxic) {
    for (ToxicSpec t : toxics) {
      if (t.name().equals(toxic.name())) throw new IllegalArgumentException("toxic '" + toxic.name() + "' already exists on proxy " + name());
    }
    List<ToxicSpec> next = new ArrayList<>(toxics);
    next.add(toxic);
    toxics = List.copyOf(next);
    notifyConnections();
    syncListening();
  }

  /**
   * Replaces the toxic of the same name in place (its position in the chain is kept); empty when there is none.
   * Open connections apply the new settings to their next chunk and draw its toxicity anew.
   */
  public synchronized Optional<ToxicSpec> replaceToxic(ToxicSpec toxic) {
    List<ToxicSpec> next = new ArrayList<>(toxics);
    for (int i = 0; i < next.size(); i++) {
      if (next.get(i).name().equals(toxic.name())) {
        ToxicSpec old = next.set(i, toxic);
        toxics = List.copyOf(next);
        notifyConnections();
        syncListening();
        return Optional.of(old);
      }
    }
    return Optional.empty();
  }

  /** Removes a toxic; empty when there is none by that name. */
  public synchronized Optional<ToxicSpec> removeToxic(String toxicName) {
    List<ToxicSpec> next = new ArrayList<>(toxics);
    Optional<ToxicSpec> gone = next.stream().filter(t -> t.name().equals(toxicName)).findFirst();
    gone.ifPresent(next::remove);
    toxics = List.copyOf(next);
    if (gone.isPresent()) notifyConnections();
    syncListening();
    return gone;
  }

  /** Removes every toxic; returns how many. */
  public synchronized int clearToxics() {
    int n = toxics.size();
    toxics = List.of();
    if (n > 0) notifyConnections();
    syncListening();
    return n;
  }

  private void notifyConnections() {
    for (ToxicConnection c : connections) c.toxicsChanged();
  }

  /**
   * Closes a listener, waits until its port refuses connections, then gives its address back to the guard.
   * Vert.x completes the close before the socket is gone on NIO: the JDK closes a registered channel's socket only
   * when its selector next deregisters it. A disable or delete answered in that gap let a client connect (5 runs in
   * 300 of a test), where Toxiproxy's listener is closed when the call returns.
   */
  private Future<Void> closeListener(NetServer listener) {
    HostPort address = new HostPort(spec.listenHost(), listener.actualPort());
    return listener.close()
        .compose(v -> whenReleased(address, System.nanoTime() + RELEASE_WAIT_NANOS))
        .andThen(ar -> guard.released());
  }

  private static final long RELEASE_WAIT_NANOS = 1_000_000_000L;
  private static final long RELEASE_POLL_MILLIS = 2;

  /**
   * Completes once a plain socket can bind {@code address} (Linux refuses that bind, SO_REUSEADDR or not, while a
   * socket listens there), or at the deadline. The probe never listens, so it accepts nothing meanwhile.
   */
  private Future<Void> whenReleased(HostPort address, long deadlineNanos) {
    if (canBind(address) || System.nanoTime() > deadlineNanos) return Future.succeededFuture();
    Promise<Void> released = Promise.promise();
    vertx.setTimer(RELEASE_POLL_MILLIS, id -> whenReleased(address, deadlineNanos).onComplete(released));
    return released.future();
  }

  private static boolean canBind(HostPort address) {
    try (Socket probe = new Socket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(address.host(), address.port()));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops listening and closes every connection. */
  public Future<Void> close() {
    Future<Void> f;
    synchronized (this) {
      closing = true;
      f = listening.transform(ar -> server == null ? Future.succeededFuture() : closeListener(server));
    }
    for (ToxicConnection c : connections) c.closeFromAnyThread();
    return f.compose(v -> client.close());
  }
}
