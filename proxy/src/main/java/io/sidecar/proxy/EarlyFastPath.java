package io.sidecar.proxy;

import io.netty.bootstrap.ServerBootstrapConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.Vertx;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Puts the byte-level path in front of a plain listener's connections when they are accepted, not when Vert.x
 * announces them. On a listener that also speaks h2c, Vert.x announces an HTTP/1.1 connection only once its decoder
 * has read the first request, so that request took the full path: on a connection that carries one request (a
 * client without keep-alive, a health checker), every request did, at about twice nginx's CPU per connection.
 *
 * <p>How: {@link #wrap} gives Vert.x a transport whose server channels carry a handler in front of Netty's acceptor
 * ({@link AcceptHookTransport}); for each accepted connection on a port a listener has {@link #register registered},
 * it adds a {@link Placer}, which, once Vert.x has set up the connection's pipeline (at {@code channelActive}),
 * puts a {@link FastPathConnection} in front of Vert.x's h2c detector (or its HTTP/1.1 decoder). An HTTP/2 preface
 * or a request the path does not take goes on to Vert.x as the connection's first bytes, so prior-knowledge h2c and
 * the h2c upgrade work as before; {@link FastPath#install} adds the gate that brings the connection back.
 *
 * <p>Until a request reaches it, Vert.x keeps a raw-socket object at the end of such a connection's pipeline; it
 * is replaced by a lighter one ({@link Placer#replaceRawSocket}), which also closes the connection at once on a
 * graceful shutdown (the raw socket waited out the grace period; an exchange in flight still finishes first, as
 * {@link FastPathConnection} holds back a close until it ends).
 *
 * <p>Since it sees every accepted connection, it also counts each listener's connections, TLS ones included
 * ({@link ProxyMetrics.ConnectionMeters}).
 */
final class EarlyFastPath {
  /** Listeners by port, then by name (two listeners may share a port on different hosts). */
  private final Map<Integer, Map<String, Accepting>> listeners = new ConcurrentHashMap<>();
  /** {@code server.max_connections} over every registered listener. */
  private final ConnectionLimit connectionLimit = new ConnectionLimit();

  /**
   * What the hook knows of one listener.
   *
   * @param host        the address it listens on (a wildcard takes what no other listener on the port does)
   * @param connections its connection meters
   * @param fastPath    its byte-level path, or null when it has none ({@code server.fast_path: false}) or gets it only
   *                    once Vert.x announces the connection (TLS: after the handshake, when ALPN chose HTTP/1.1)
   * @param badRequest  counts a request answered 400 or 505 by {@link FirstRequestVersion}; null when the listener
   *                    needs none (it has the byte-level path, or Vert.x announces its connections before their
   *                    first request: TLS, {@code h2c: false})
   * @param headTimeout {@code server.request_header_timeout} in nanoseconds, 0 when off ({@link RequestHeadTimeout})
   * @param headTimedOut counts a connection closed by it
   */
  record Accepting(String name, InetAddress host, ProxyMetrics.ConnectionMeters connections,
                   FastPath.Listener fastPath, Runnable badRequest, long headTimeout, Runnable headTimedOut) {
    /** Whether its connections need a {@link Placer} once Vert.x has set them up. */
    boolean placesHandlers() {
      return fastPath != null || badRequest != null || headTimeout > 0;
    }
  }

  private EarlyFastPath() {}

  /** The transport Vert.x should run on: {@code transport} with the accept hook of a registry of its own. */
  static Transport wrap(Transport transport) {
    if (!(transport instanceof TransportInternal internal)) return transport;
    EarlyFastPath registry = new EarlyFastPath();
    return new TransportInternal(internal.name(), internal.available(), internal.unavailabilityCause(),
        new AcceptHookTransport(internal.implementation(), registry));
  }

  /** The registry of the transport {@code vertx} runs on, or null when it runs without the hook. */
  static EarlyFastPath of(Vertx vertx) {
    return vertx instanceof VertxInternal internal && internal.transport() instanceof AcceptHookTransport hooked
        ? hooked.hook() : null;
  }

  /** Connections accepted on {@code port} from now on are counted, and get the byte-level path at once if it has one. */
  void register(int port, Accepting listener) {
    listeners.computeIfAbsent(port, p -> new ConcurrentHashMap<>()).put(listener.name(), listener);
  }

  /** Connections accepted from now on, over every listener, are limited to {@code max} open at once (the first call sets it). */
  void limitConnections(int max) {
    connectionLimit.setOnce(max);
  }

  /** Undoes {@link #register} when {@code listener} is still the one registered (a reload may have replaced it). */
  void unregister(int port, Accepting listener) {
    listeners.computeIfPresent(port, (p, byName) -> {
      byName.remove(listener.name(), listener);
      return byName.isEmpty() ? null : byName;
    });
  }

  /**
   * Server sockets made for Vert.x's servers, newest last, each with the set-up of the bootstrap that binds it; an
   * entry goes when its socket closes. A reload may bind a listener's new socket while its old one is still closing.
   */
  private final Deque<Bound> serverSockets = new ConcurrentLinkedDeque<>();

  /** A server socket and the bootstrap set-up it was bound with (whose child handler is Vert.x's). */
  record Bound(Channel channel, ServerBootstrapConfig setUp) {}

  /** A new server channel's handler: {@link AcceptHookTransport} asks for one per server channel. */
  ChannelHandler acceptor() {
    return new Acceptor();
  }

  /** {@link AcceptHookTransport} made {@code serverSocket} for a bootstrap set up as {@code setUp}. */
  void made(Channel serverSocket, ServerBootstrapConfig setUp) {
    Bound made = new Bound(serverSocket, setUp);
    serverSockets.addLast(made);
    serverSocket.closeFuture().addListener(closed -> serverSockets.remove(made));
  }

  /**
   * The newest open socket Vert.x bound on {@code address} and how, or null when there is none. It is known as soon as
   * Vert.x's bind completes (a server socket's channelActive event comes later).
   */
  Bound boundOn(SocketAddress address) {
    for (Iterator<Bound> it = serverSockets.descendingIterator(); it.hasNext(); ) {
      Bound socket = it.next();
      Channel channel = socket.channel();
      if (channel.isOpen() && !LoopAcceptor.isLoopSocket(channel) && address.equals(channel.localAddress())) {
        return socket;
      }
    }
    return null;
  }

  /** The listener an accepted connection reached: by its local port, then by its local address. */
  private Accepting listenerOf(Channel child) {
    if (!(child.localAddress() instanceof InetSocketAddress local)) return null;
    Map<String, Accepting> byName = listeners.get(local.getPort());
    if (byName == null) return null;
    Accepting wildcard = null;
    for (Accepting listener : byName.values()) {
      if (byName.size() == 1 || listener.host().equals(local.getAddress())) return listener;
      if (listener.host().isAnyLocalAddress()) wildcard = listener;
    }
    return wildcard;
  }

  /** On a server channel, ahead of Netty's acceptor: sees each accepted connection before it is registered. */
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        Accepting listener = listenerOf(child);
        if (listener != null) {
          ProxyMetrics.ConnectionMeters connections = listener.connections();
          if (!connectionLimit.tryOpen()) {
            connections.overflow().increment();
            child.unsafe().closeForcibly(); // never registered: Netty's acceptor does the same with one it cannot take
            return;
          }
          connections.opened();
          child.closeFuture().addListener(closed -> {
            connections.closed();
            connectionLimit.closed();
          });
          if (listener.placesHandlers()) child.pipeline().addFirst(new Placer(listener));
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The name under which Vert.x's net server adds its connection handler. */
  private static final String VERTX_HANDLER = "handler";

  /**
   * Waits for Vert.x's pipeline set-up, then puts the {@link RequestHeadTimeout} at its front and the byte-level path
   * where {@link FastPath#install} would; on a listener without it, puts {@link FirstRequestVersion} in front of the
   * h2c detector, if there is one.
   */
  private static final class Placer extends ChannelInboundHandlerAdapter {
    private final Accepting listener;

    Placer(Accepting listener) {
      this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ChannelPipeline pipeline = ctx.pipeline();
      pipeline.remove(this);
      RequestHeadTimeout.place(pipeline, listener.headTimeout(), listener.headTimedOut());
      if (listener.fastPath() == null && listener.badRequest() == null) {
        ctx.fireChannelActive();
        return;
      }
      if (listener.fastPath() == null) { // then badRequest is set: a plain listener that also speaks h2c
        String detector = nameOf(pipeline);
        if (detector != null) pipeline.addBefore(detector, "sidecarFirstVersion", new FirstRequestVersion(listener.badRequest()));
      } else if (pipeline.get(FastPath.HANDLER_NAME) == null) { // not installed already (a listener without h2c)
        String anchor = pipeline.get("httpDecoder") != null ? "httpDecoder" : nameOf(pipeline);
        if (anchor != null) {
          FastPathConnection fastPath = new FastPathConnection(listener.fastPath());
          pipeline.addBefore(anchor, FastPath.HANDLER_NAME, fastPath);
          DownstreamIdleTimeout.takeOver(pipeline);
          replaceRawSocket(pipeline);
          fastPath.open();
        }
      }
      ctx.fireChannelActive();
    }

    /**
     * Until it knows a connection's protocol, Vert.x keeps a raw-socket object at the pipeline's end (a
     * {@link NetSocketImpl}, which queues writes from any thread: a 4 KiB queue each). It used to drop it at the first
     * request; a connection the byte-level path serves may never get there, so an idle one held twice the heap. A
     * bare connection in strict thread mode takes its place: it closes on Vert.x's idle and shutdown events, and
     * Vert.x replaces it, as it would the raw socket, when it sets the connection up for HTTP/1.x or HTTP/2.
     */
    private static void replaceRawSocket(ChannelPipeline pipeline) {
      if (pipeline.get(VERTX_HANDLER) instanceof VertxHandler<?> handler
          && handler.getConnection() instanceof NetSocketImpl socket) {
        ContextInternal context = socket.context();
        pipeline.replace(VERTX_HANDLER, VERTX_HANDLER, VertxHandler.create(chctx -> new VertxConnection(context, chctx, true) {
          @Override
          protected void handleMessage(Object msg) {
            ReferenceCountUtil.release(msg); // nothing reaches it: Vert.x's h2c detector replaces it before any byte
          }
        }));
      }
    }

    /** The name of Vert.x's h2c detector, which it adds without one we could ask for. */
    private static String nameOf(ChannelPipeline pipeline) {
      var detector = pipeline.context(Http1xOrH2CHandler.class);
      return detector == null ? null : detector.name();
    }
  }
}
