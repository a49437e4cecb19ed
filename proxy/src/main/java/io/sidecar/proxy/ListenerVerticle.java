package io.sidecar.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.sidecar.config.ListenerSpec;
import io.sidecar.config.ServerSpec;
import io.sidecar.proxy.tls.ListenerTls;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One instance per event loop per listener: they all listen on the same address and Vert.x spreads
 * connections across them. With {@code server.reuse_port} (the default, on a native transport) each instance also
 * accepts on a socket of its own ({@link LoopAcceptor}), so that most connections skip Vert.x's acceptor thread.
 * HTTP/1.1 and (unless {@code h2c: false}) h2c on plain listeners; TLS with ALPN (h2, http/1.1) through OpenSSL
 * (netty-tcnative) when a certificate is configured, its certificate, versions and suites from {@link ListenerTls}.
 */
public final class ListenerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ListenerVerticle.class.getName());
  private final ProxyRuntime runtime;
  private final ListenerSpec spec;
  private final ServerSpec server;
  private final ListenerTls tls;
  private HttpServer httpServer;
  /** The byte-level path's listener state, registered for connections as they are accepted; null when off. */
  private FastPath.Listener fastPath;
  private int boundPort;
  /** Where connections are counted and get the byte-level path as they are accepted; null without the hook. */
  private EarlyFastPath acceptHook;
  private EarlyFastPath.Accepting accepting;
  /** With SO_REUSEPORT, the socket this instance accepts on ({@link LoopAcceptor}); else null. */
  private Channel loopSocket;

  /** {@code tls}: the listener's loaded certificate when {@code spec.tls()} is set, else null. */
  public ListenerVerticle(ProxyRuntime runtime, ListenerSpec spec, ServerSpec server, ListenerTls tls) {
    this.runtime = runtime;
    this.spec = spec;
    this.server = server;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    // a port the kernel picks (0) is only known after the bind, and only a native transport sets SO_REUSEPORT
    boolean reusePort = server.reusePort() && vertx.isNativeTransportEnabled() && spec.address().port() != 0;
    httpServer = vertx.createHttpServer(options(spec, server, tls).setReusePort(reusePort))
        .requestHandler(new ProxyHandler(runtime, spec.name(), server.maxRequestBody(), server.generateRequestId(),
            server.fastPath()))
        .invalidRequestHandler(request -> {
          runtime.metrics().badRequest(spec.name());
          HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
        });
    if (server.fastPath()) fastPath = FastPath.Listener.of(runtime, spec.name(), server, spec.tls() != null);
    Runnable badRequest = () -> runtime.metrics().badRequest(spec.name());
    long headTimeoutNanos = server.requestHeaderTimeout().toNanos();
    Runnable headTimedOut = () -> runtime.metrics().requestHeaderTimeout(spec.name());
    // Vert.x announces a plain h2c listener's connection only with its first request: judged at accept instead
    boolean judgesFirstRequest = fastPath == null && spec.tls() == null && spec.h2c();
    httpServer.connectionHandler(c -> {
      if (fastPath != null) FastPath.install(c, fastPath);
      HttpVersionGuard.install(c, badRequest);
      RequestHeadTimeout.watch(c);
      Draining.watch(c);
      Http2StreamStateGuard.install(c, headTimeoutNanos, headTimedOut);
      Http2FlushConsolidation.install(c);
      DownstreamIdleTimeout.onHttp2(c);
    });
    return httpServer.listen(spec.address().port(), spec.address().host()).compose(bound -> {
      if (tls != null) tls.serve(bound);
      boundPort = bound.actualPort();
      acceptHook = EarlyFastPath.of(vertx);
      if (acceptHook == null) return Future.succeededFuture();
      accepting = new EarlyFastPath.Accepting(spec.name(), resolved(spec.address().host()),
          runtime.metrics().connections(spec.name()), tls == null ? fastPath : null, judgesFirstRequest ? badRequest : null,
          headTimeoutNanos, headTimedOut);
      acceptHook.limitConnections(ConnectionLimit.resolve(server.maxConnections(), ConnectionLimit.processFdLimit()));
      acceptHook.register(boundPort, accepting);
      return reusePort ? bindLoopSocket() : Future.succeededFuture();
    });
  }

  /**
   * This instance's own socket on the listener's address ({@link LoopAcceptor}), next to the one Vert.x bound. Should
   * it fail, the listener still serves every connection through Vert.x's socket, as with {@code reuse_port: false}.
   */
  private Future<Void> bindLoopSocket() {
    EarlyFastPath.Bound vertxSocket = acceptHook.boundOn(new InetSocketAddress(accepting.host(), boundPort));
    if (vertxSocket == null) return Future.succeededFuture();
    ChannelFuture bound = LoopAcceptor.bind(((ContextInternal) context).nettyEventLoop(), vertxSocket);
    loopSocket = bound.channel();
    return whenDone(bound).recover(err -> {
      LOG.warning("listener " + spec.name() + ": no socket of its own on event loop "
          + Thread.currentThread().getName() + " (" + err + "); connections are accepted by Vert.x's");
      return Future.succeededFuture();
    });
  }

  /** {@code operation} as a Vert.x future on this verticle's context. */
  private Future<Void> whenDone(ChannelFuture operation) {
    PromiseInternal<Void> done = ((ContextInternal) context).promise();
    operation.addListener(done);
    return done.future();
  }

  /** The listener's host as an address (it was just bound, so it resolves). */
  private static java.net.InetAddress resolved(String host) {
    try {
      return java.net.InetAddress.getByName(host);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("listener host " + host + " bound but does not resolve", e);
    }
  }

  @Override
  public Future<?> stop() {
    if (acceptHook != null) acceptHook.unregister(boundPort, accepting);
    // this instance's own socket is closed before Vert.x's: connections it accepted are Vert.x's to drain
    Future<Void> ownSocketClosed = loopSocket == null ? Future.succeededFuture() : whenDone(loopSocket.close());
    return ownSocketClosed.transform(ignored ->
        httpServer.shutdown(server.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS));
  }

  static HttpServerOptions options(ListenerSpec spec, ServerSpec server, ListenerTls tls) {
    HttpServerOptions options = new HttpServerOptions()
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setMaxHeaderSize(server.maxHeaderSize())
        .setMaxInitialLineLength(Math.max(4096, server.maxHeaderSize()))
        .setHandle100ContinueAutomatically(true)
        .setMaxChunkSize(64 * 1024)
        .setHttp2ClearTextEnabled(spec.h2c())
        // Vert.x closes a connection silent both ways this long; where the byte-level path serves, its
        // DownstreamIdleTimeout takes the place of Vert.x's handler, which sees none of that path's bytes
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, server.idleTimeout().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setCompressionSupported(false)
        // Every response is written on its connection's event loop (upstream clients are per loop), so Vert.x may
        // write straight to the channel: no per-connection MPSC write queue (4 KiB each, a third of an idle
        // connection's heap) and no hand-off through it per write.
        .setStrictThreadMode(true);
    // HTTP/2 requests get the same head limit as HTTP/1.x ones (431 above it), announced as
    // SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2, §10.5.1); Vert.x's default would be 8 KiB whatever
    // server.max_header_size says. Vert.x's other initial settings are kept (100 concurrent streams).
    options.getInitialSettings().setMaxHeaderListSize(server.maxHeaderSize());
    if (tls != null) {
      options.setSsl(true).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
      if (OpenSSLEngineOptions.isAvailable()) options.setSslEngineOptions(new OpenSSLEngineOptions());
      tls.configure(options.getSslOptions());
    }
    return options;
  }
}
