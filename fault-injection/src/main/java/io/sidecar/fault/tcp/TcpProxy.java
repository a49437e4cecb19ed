package io.sidecar.fault.tcp;

import io.sidecar.fault.SeededRandom;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
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
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final TcpProxySpec spec;
  private final SeededRandom random;
  private final NetClient client;
  private final Set<ToxicConnection> connections = ConcurrentHashMap.newKeySet();
  private volatile List<ToxicSpec> toxics;
  private NetServer server;
  private int boundPort;
  private boolean closing;
  private Future<Void> listening = Future.succeededFuture();

  private TcpProxy(Vertx vertx, TcpProxySpec spec, SeededRandom random) {
    this.vertx = vertx;
    this.spec = spec;
    this.random = random;
    this.toxics = List.copyOf(spec.toxics());
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000).setTcpNoDelay(true));
  }

  /** Starts listening; the future completes with the running proxy (or fails, e.g. port in use). */
  public static Future<TcpProxy> start(Vertx vertx, TcpProxySpec spec, SeededRandom random) {
    TcpProxy p = new TcpProxy(vertx, spec, random);
    return p.listen(spec.listenPort()).map(v -> {
      p.syncListening();
      return p;
    });
  }

  private Future<Void> listen(int port) {
    NetServer created = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true));
    created.connectHandler(this::accept);
    return created.listen(port, spec.listenHost()).map(s -> {
      synchronized (this) {
        server = s;
        boundPort = s.actualPort();
      }
      return null;
    });
  }

  private boolean isDown() {
    for (ToxicSpec t : toxics) {
      if (t.type() == ToxicType.DOWN && t.toxicity() >= 1.0) return true;
    }
    return false;
  }

  /** Stops or resumes listening to match the toxics (a full-toxicity {@code down} means not listening). */
  private synchronized void syncListening() {
    if (closing) return;
    if (isDown() && server != null) {
      NetServer stopped = server;
      server = null;
      listening = stopped.close();
    } else if (!isDown() && server == null) {
      listening = listening.transform(ar -> listen(boundPort));
    }
  }

  /** Completes when the listener matches the current toxics (for callers that must not race it). */
  public synchronized Future<Void> settled() {
    return listening;
  }

  private void accept(NetSocket downstream) {
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

  /** Stops listening and closes every connection. */
  public Future<Void> close() {
    Future<Void> f;
    synchronized (this) {
      closing = true;
      f = listening.transform(ar -> server == null ? Future.succeededFuture() : server.close());
    }
    for (ToxicConnection c : connections) c.closeFromAnyThread();
    return f.compose(v -> client.close());
  }
}
