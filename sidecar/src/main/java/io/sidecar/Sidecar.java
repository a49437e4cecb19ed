package io.sidecar;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sidecar.admin.AdminApi;
import io.sidecar.admin.ConfigControl;
import io.sidecar.admin.ToxiproxyApi;
import io.sidecar.config.ConfigError;
import io.sidecar.config.ConfigException;
import io.sidecar.config.ConfigLoader;
import io.sidecar.cache.CacheConfig;
import io.sidecar.cache.CacheMetrics;
import io.sidecar.cache.HttpCache;
import io.sidecar.config.CacheSpec;
import io.sidecar.config.PredictorSpec;
import io.sidecar.fault.FaultInjection;
import io.sidecar.fault.FaultInjectionConfig;
import io.sidecar.fault.FaultInjectionConfigParser;
import io.sidecar.fault.InMemoryAuditLog;
import io.sidecar.fault.parse.FaultSpecParser;
import io.sidecar.fault.tcp.TcpProxySpecParser;
import io.sidecar.predictor.Predictor;
import io.sidecar.predictor.PredictorRuntime;
import io.sidecar.predictor.anomaly.AnomalyConfig;
import io.sidecar.predictor.config.PeersConfig;
import io.sidecar.predictor.config.PredictorConfig;
import io.sidecar.predictor.config.StorageConfig;
import io.sidecar.predictor.scaling.ScalingConfig;
import java.net.URI;
import io.sidecar.config.ConfigStore;
import java.util.ArrayList;
import java.util.List;
import io.sidecar.config.SidecarConfig;
import io.sidecar.config.ServerAddresses;
import io.sidecar.config.HostPort;
import io.sidecar.proxy.AccessLog;
import io.sidecar.proxy.DataPlane;
import io.sidecar.proxy.ProxyMetrics;
import io.sidecar.proxy.ProxyRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The assembled sidecar: Vert.x with Prometheus metrics, the config store, the data plane, the admin API and the
 * config file watcher. Reloads (file change or API) validate off the event loop, then swap the snapshot.
 */
public final class Sidecar implements ConfigControl {
  static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
  /** How long admin calls in flight may finish once the listeners have drained. */
  private static final Duration ADMIN_CLOSE_GRACE = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final ConfigSource source;
  private final ConfigLoader loader;
  private final ConfigStore store;
  private final DataPlane dataPlane;
  private final AccessLog accessLog;
  private final String transport;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private HttpServer admin;
  private io.vertx.ext.web.Router adminRouter;
  private HttpServer toxiproxyApi;
  /** The watched file's state as last read; written by the watch timer and by a SIGHUP's thread. */
  private volatile String fingerprint;
  private long watchTimer = -1;
  private Future<JvmMeters> jvmMeters = Future.succeededFuture();

  private final HttpCache cache;
  private PredictorRuntime predictor;
  private FaultInjection faults;
  private io.micrometer.core.instrument.MultiGauge anomalyGauges;

  private Sidecar(Vertx vertx, String transport, PrometheusMeterRegistry registry, ConfigSource source,
                  ConfigLoader loader, SidecarConfig initial, AccessLog accessLog) {
    this.vertx = vertx;
    this.transport = transport;
    this.registry = registry;
    this.source = source;
    this.loader = loader;
    this.store = new ConfigStore(initial, Clock.systemUTC());
    this.accessLog = accessLog;
    int loops = eventLoops(initial);
    this.cache = new HttpCache(vertx, cacheConfig(initial));
    // Binds once: CacheMetrics registers routes the cache sees later through CacheStats' new-route listener.
    new CacheMetrics(cache).bindTo(registry);
    this.dataPlane = new DataPlane(vertx, new ProxyRuntime(vertx, new ProxyMetrics(registry), accessLog, cache), loops);
    this.fingerprint = source.fingerprint();
  }

  /** The socket transport the event loops run on ({@code io_uring}, {@code epoll} or {@code nio}). */
  public String transport() {
    return transport;
  }

  /** The process-wide cache from the {@code cache:} section (a change to it takes a restart). */
  static CacheConfig cacheConfig(SidecarConfig config) {
    CacheSpec spec = config.cache();
    List<String> tagHeaders = new ArrayList<>(List.of(spec.tagHeader()));
    CacheConfig.DEFAULT_TAG_HEADERS.forEach(h -> {
      if (tagHeaders.stream().noneMatch(h::equalsIgnoreCase)) tagHeaders.add(h);
    });
    return CacheConfig.builder()
        .l1MaxBytes(spec.l1MaxSize())
        .l1MaxHeapBytes(spec.l1MaxHeap())
        .l2RedisUri(spec.l2Redis())
        .l2KeyPrefix("sidecar:" + config.service() + ":")
        .tagHeaders(tagHeaders)
        .instanceId(config.instance())
        .build();
  }

  static PredictorConfig predictorConfig(SidecarConfig config) {
    PredictorSpec p = config.predictor();
    PeersConfig peers = p.peersRedis() != null ? PeersConfig.redis(URI.create(p.peersRedis()), p.publishEvery())
        : p.staticPeers().isEmpty() ? PeersConfig.LOCAL_ONLY
        : new PeersConfig(null, p.staticPeers().stream().map(URI::create).toList(), p.publishEvery(),
            p.publishEvery().multipliedBy(PeersConfig.DEFAULT_FORGET_AFTER_INTERVALS));
    ScalingConfig scaling = new ScalingConfig(p.targetUtilization(), p.minReplicas(), p.maxReplicas(), p.cooldown(),
        ScalingConfig.DEFAULT_HYSTERESIS, ScalingConfig.DEFAULT_HORIZON, ScalingConfig.DEFAULT_LATENCY_SLO_MILLIS);
    io.sidecar.config.HostPort advertise = UpstreamPeerFeed.advertisedAddress(config);
    if (advertise != null) peers = peers.withAdvertise(advertise.toString());
    return new PredictorConfig(config.service(), config.instance(), peers, scaling,
        recurring(AnomalyConfig.DEFAULTS.withAlertThreshold(p.alertThreshold()), p), null);
  }

  /** The recurring-spike discount: the tolerance as a duration, or in steps when the file gives it so. */
  static AnomalyConfig recurring(AnomalyConfig anomaly, PredictorSpec p) {
    AnomalyConfig inZone = anomaly.withRecurringZone(p.recurringZone());
    return p.recurringJitterSteps() >= 0
        ? inZone.withRecurringSteps(p.recurringDays(), p.recurringWindowDays(), p.recurringJitterSteps())
        : inZone.withRecurring(p.recurringDays(), p.recurringWindowDays(), p.recurringJitter());
  }

  /**
   * With Redis peers: the snapshots of the instances this sidecar calls go to its balancers (the services watched
   * follow config reloads). Upstream snapshots need the shared Redis: static peer lists name this service's peers only.
   */
  private void watchUpstreamPeers(PredictorRuntime runtime, SidecarConfig config) {
    io.sidecar.predictor.peers.RedisPeerExchange exchange = runtime.redisExchange();
    if (exchange == null) return;
    UpstreamPeerFeed feed = new UpstreamPeerFeed(() -> dataPlane.runtime().snapshot());
    io.vertx.core.Context context = vertx.getOrCreateContext();
    java.util.concurrent.atomic.AtomicReference<java.util.Set<String>> watched =
        new java.util.concurrent.atomic.AtomicReference<>(UpstreamPeerFeed.services(config));
    exchange.watchServices(watched.get(), feed);
    store.onChange(snapshot -> {
      java.util.Set<String> services = UpstreamPeerFeed.services(snapshot.config());
      if (!services.equals(watched.getAndSet(services))) context.runOnContext(v -> exchange.watchServices(services, feed));
    });
  }

  static StorageConfig storageConfig(SidecarConfig config) {
    String url = config.storage().postgres();
    return url == null ? StorageConfig.IN_MEMORY : StorageConfig.postgres(URI.create(url), StorageConfig.DEFAULT_SCHEMA);
  }

  /** Signals go to the predictor; its gauges to /metrics; the inbound listener's routes are the serving side. */
  private void usePredictor(PredictorRuntime runtime, SidecarConfig config) {
    this.predictor = runtime;
    Predictor p = runtime.predictor();
    dataPlane.runtime().useSignals(p.signals());
    p.servingRoutes(servingRoutes(config));
    io.micrometer.core.instrument.Gauge.builder("sidecar_predictor_recommended_replicas", p, Predictor::recommendedReplicas)
        .description("Replicas the scaling advisor recommends for this service").register(registry);
    io.micrometer.core.instrument.Gauge.builder("sidecar_history_pending_rows", runtime.history(), h -> h.pending())
        .description("History rows waiting to be written").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("sidecar_history_dropped_rows", runtime.history(), h -> h.dropped())
        .description("History rows dropped because the writer fell behind").register(registry);
    anomalyGauges = io.micrometer.core.instrument.MultiGauge.builder("sidecar_predictor_anomaly_score")
        .description("Latest anomaly score in [0, 1] per metric").register(registry);
    RouteWindowGauges windows = new RouteWindowGauges(registry);
    // on a worker, as the predictor's tick: merging each route's histograms is not an event loop's work
    vertx.setPeriodic(1000, id -> vertx.executeBlocking(() -> {
      anomalyGauges.register(p.anomalyScores().entrySet().stream()
          .map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(
              io.micrometer.core.instrument.Tags.of("metric", e.getKey()), e.getValue()))
          .toList(), true);
      windows.update(p.signals().routes());
      return null;
    }, true));
    store.onChange(snapshot -> p.servingRoutes(servingRoutes(snapshot.config())));
    watchUpstreamPeers(runtime, config);
    // Seasonal baselines and forecasters start from the history of the last 8 days (a weekly season plus a day).
    p.restore(config.routes().stream().map(r -> r.name()).toList(), java.time.Duration.ofDays(8))
        .whenComplete((rows, err) -> {
          if (err != null) System.err.println("predictor: history restore failed: " + err);
          else if (rows > 0) System.out.println("predictor: restored " + rows + " minute roll-ups from history");
        });
  }

  static java.util.Set<String> servingRoutes(SidecarConfig config) {
    java.util.Set<String> routes = new java.util.HashSet<>();
    config.routes().forEach(r -> {
      if (io.sidecar.proxy.RoutingSnapshot.SERVING_LISTENER.equals(r.listener())) routes.add(r.name());
    });
    return routes;
  }

  /**
   * Fault rules (static ones from {@code faults:}, replaced on every reload), experiments whose halt conditions
   * read the predictor's route windows, and the TCP proxies of {@code tcp_proxies:}.
   */
  private Future<Void> useFaults(SidecarConfig config) {
    FaultInjectionConfig settings = config.faultInjection() == null ? FaultInjectionConfigParser.parse(null, "fault_injection").orThrow()
        : FaultInjectionConfigParser.parse(config.faultInjection().toPlain(), "fault_injection").orThrow();
    faults = FaultInjection.create(vertx, settings, new PredictorRouteSignals(predictor.predictor()),
        new HistoryAuditLog(predictor.history()));
    dataPlane.runtime().useFaults(faults.registry());
    installStaticFaults(config);
    store.onChange(snapshot -> installStaticFaults(snapshot.config()));
    // admin and Toxiproxy API addresses are read at start; listeners follow reloads
    faults.tcpProxies().guardAgainst(address -> ServerAddresses.holder(address, store.started().admin(),
        store.current().config().listeners(), store.started().toxiproxyApi()));
    List<Future<?>> proxies = new ArrayList<>();
    if (config.tcpProxies() != null) {
      for (var spec : TcpProxySpecParser.parseProxies(config.tcpProxies().toPlain(), "tcp_proxies").orThrow()) {
        proxies.add(faults.tcpProxies().create(spec, "config"));
      }
    }
    return Future.all(proxies).mapEmpty();
  }

  private void installStaticFaults(SidecarConfig config) {
    List<Object> trees = new ArrayList<>();
    config.faults().forEach(node -> trees.add(node.toPlain()));
    faults.registry().replaceStatic(FaultSpecParser.parseList(trees, "faults").orThrow(), "config");
  }

  public FaultInjection faults() {
    return faults;
  }

  public Predictor predictor() {
    return predictor.predictor();
  }

  static int eventLoops(SidecarConfig config) {
    int configured = config.server().eventLoops();
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }

  /** Loads the configuration (throws with every error when invalid), then binds the listeners and the admin API. */
  static Future<Sidecar> start(ConfigSource source, ConfigLoader loader) throws ConfigException, IOException {
    loadLazyJdkFiles();
    // Two start-up steps that do not depend on the configuration run on a second thread while this one parses it:
    // Vert.x probing the socket transports (epoll, io_uring, NIO: loading native libraries, about 50 ms on a 2-core
    // host) and creating the metrics registry (about 20 ms).
    CompletableFuture<PrometheusMeterRegistry> registryReady = CompletableFuture.supplyAsync(() -> {
      io.sidecar.proxy.SocketTransport.probe();
      return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }, Sidecar::startUpThread);
    SidecarConfig config = loader.parse(source.read());
    PrometheusMeterRegistry registry = registryReady.join();
    // Per-request HTTP metrics come from our own route meters (looked up once per route); Vert.x's own HTTP
    // server/client meters would tag and time every request a second time, so only connection-level and pool
    // metrics stay on.
    // The JVM meters are bound after start (JvmMeters), not by Vert.x here.
    MetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .setLabels(java.util.EnumSet.of(io.vertx.micrometer.Label.LOCAL,
            io.vertx.micrometer.Label.POOL_TYPE, io.vertx.micrometer.Label.POOL_NAME));
    io.vertx.core.transport.Transport transport = io.sidecar.proxy.SocketTransport.choose(config.server().transport());
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(eventLoops(config)).setMetricsOptions(metrics))
        .withTransport(io.sidecar.proxy.SocketTransport.withAcceptHook(transport))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    Sidecar sidecar = new Sidecar(vertx, transport.name(), registry, source, loader, config,
        AccessLog.open(config.server().accessLog()));
    return sidecar.cache.start()
        .compose(v -> PredictorRuntime.start(vertx, predictorConfig(config), storageConfig(config), Clock.systemUTC()))
        .compose(rt -> {
          sidecar.usePredictor(rt, config);
          return sidecar.useFaults(config);
        })
        .compose(v -> sidecar.dataPlane.apply(1, config))
        .compose(v -> sidecar.startAdmin(config))
        .compose(v -> sidecar.startToxiproxyApi(config))
        .map(v -> {
          sidecar.ready.set(true);
          sidecar.watch();
          sidecar.jvmMeters = JvmMeters.bindInBackground(vertx, registry);
          return sidecar;
        })
        .recover(err -> vertx.close().transform(x -> Future.failedFuture(err)));
  }

  private static void startUpThread(Runnable task) {
    Thread thread = new Thread(task, "sidecar-start-up");
    thread.setDaemon(true); // a configuration error ends start-up without waiting for it
    thread.start();
  }

  /** The admin API's routes (tests compare them with the OpenAPI document). */
  io.vertx.ext.web.Router adminRouter() {
    return adminRouter;
  }

  private Future<Void> startAdmin(SidecarConfig config) {
    AdminApi api = new AdminApi(this, dataPlane.runtime(), registry, ready::get, this::adminToken);
    api.withCache(cache).withPredictor(predictor.predictor()).withFaults(faults).withListenerTls(dataPlane::tlsStatus)
        .withDraining(draining::get);
    adminRouter = api.router(vertx);
    return onWorkerThread(() -> vertx.createHttpServer()
        .requestHandler(adminRouter)
        .listen(config.admin().address().port(), config.admin().address().host()))
        .onSuccess(server -> admin = server)
        .mapEmpty();
  }

  /**
   * Starts a control server (the admin API, the Toxiproxy API) whose handlers run on a worker thread, not on an event
   * loop the listeners share. An admin call that takes long held every request on that loop as long: the first
   * experiment posted (its classes loaded and run for the first time) stalled live requests for about 200 ms, and a
   * large metrics scrape did the same on a smaller scale. Envoy keeps its admin off its workers for the same reason.
   */
  private Future<HttpServer> onWorkerThread(java.util.function.Supplier<Future<HttpServer>> startServer) {
    io.vertx.core.Promise<HttpServer> started = io.vertx.core.Promise.promise();
    return vertx.deployVerticle(new io.vertx.core.VerticleBase() {
          @Override
          public Future<?> start() {
            return startServer.get().onComplete(started);
          }
        }, new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER))
        .compose(id -> started.future());
  }

  /**
   * The Toxiproxy-compatible API over the TCP proxies when {@code toxiproxy_api:} is present (read at start; a
   * change takes a restart). It has no token, as Toxiproxy: it binds where the config says.
   */
  private Future<Void> startToxiproxyApi(SidecarConfig config) {
    if (config.toxiproxyApi() == null) return Future.succeededFuture();
    io.sidecar.config.HostPort address = config.toxiproxyApi().address();
    return onWorkerThread(() -> vertx.createHttpServer()
        .requestHandler(new ToxiproxyApi(faults::tcpProxies).router(vertx))
        .listen(address.port(), address.host()))
        .onSuccess(server -> toxiproxyApi = server)
        .mapEmpty();
  }

  /** The token from the config, else SIDECAR_ADMIN_TOKEN; empty refuses all mutations. */
  String adminToken() {
    String configured = store.current().config().admin().token();
    if (configured != null && !configured.isEmpty()) return configured;
    String env = System.getenv("SIDECAR_ADMIN_TOKEN");
    return env == null ? "" : env;
  }

  private void watch() {
    if (fingerprint == null) return;
    watchTimer = vertx.setPeriodic(WATCH_INTERVAL.toMillis(), id -> {
      String now = source.fingerprint();
      if (!now.equals(fingerprint)) {
        fingerprint = now;
        reloadAndReport("a change to the file");
      }
    });
  }

  /**
   * Reloads the config file and says on stdout what came of it, or on stderr why it was rejected (the previous config
   * keeps serving). {@code cause}: what asked for it (the file watch, SIGHUP).
   */
  void reloadAndReport(String cause) {
    if (fingerprint != null) fingerprint = source.fingerprint(); // what is read now: the watch need not read it again
    reload().onComplete(ar -> {
      if (ar.succeeded()) {
        List<String> pending = store.status().pendingRestart();
        System.out.println("config: reloaded " + source.describe() + " as version " + ar.result().version()
            + " (" + cause + ")"
            + (pending.isEmpty() ? "" : "; these wait for a restart: " + String.join(", ", pending)));
      } else {
        System.err.println("config: rejected " + source.describe() + " (" + cause + "), previous config keeps serving:\n"
            + ar.cause().getMessage());
      }
    });
  }

  @Override
  public ConfigStore store() {
    return store;
  }

  @Override
  public synchronized Future<ConfigStore.Snapshot> reload() {
    return vertx.executeBlocking(() -> loader.parse(source.read()), false)
        .recover(err -> {
          if (err instanceof ConfigException e) store.reject(e.errors());
          return Future.failedFuture(err);
        })
        .compose(config -> {
          List<ConfigError> clashes = listenersOnRunningServers(config);
          if (!clashes.isEmpty()) {
            store.reject(clashes);
            return Future.failedFuture(new ConfigException(clashes));
          }
          ConfigStore.Snapshot previous = store.current();
          ConfigStore.Snapshot next = store.accept(config);
          return dataPlane.apply(next.version(), config).map(next).recover(err -> {
            // A valid file the data plane could not apply (a new listener's port is taken): all of it is undone.
            List<ConfigError> why = List.of(new ConfigError("listeners", 0,
                "could not be applied: " + err.getMessage() + "; the previous config keeps serving"));
            store.rollback(previous, why);
            return dataPlane.apply(previous.version(), previous.config())
                .transform(ignored -> Future.failedFuture(new ConfigException(why)));
          });
        });
  }

  /**
   * Listeners of a reloaded config on the address of a server that keeps running: the admin or Toxiproxy API as
   * started (a new address for them waits for a restart, so the file's check against its own does not cover them)
   * or a TCP proxy. They would not fail to bind but share its socket ({@link ServerAddresses}), so the config is
   * refused.
   */
  private List<ConfigError> listenersOnRunningServers(SidecarConfig config) {
    SidecarConfig started = store.started();
    List<ConfigError> out = new ArrayList<>();
    for (int i = 0; i < config.listeners().size(); i++) {
      HostPort address = config.listeners().get(i).address();
      String holder = ServerAddresses.holder(address, started.admin(), List.of(), started.toxiproxyApi());
      if (holder == null && faults != null) holder = faults.tcpProxies().proxyOn(address);
      if (holder != null) out.add(new ConfigError("listeners[" + i + "].address", 0, holder));
    }
    return out;
  }

  public Vertx vertx() { return vertx; }
  public DataPlane dataPlane() { return dataPlane; }
  public int adminPort() { return admin.actualPort(); }
  /** The Toxiproxy-compatible API's port; -1 when {@code toxiproxy_api:} is absent. */
  public int toxiproxyApiPort() { return toxiproxyApi == null ? -1 : toxiproxyApi.actualPort(); }

  /** Graceful stop: refuse new work, let requests in flight finish within the grace period, close. */
  public Future<Void> shutdown() {
    draining.set(true);
    ready.set(false);
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
    Duration grace = store.current().config().server().shutdownGrace();
    Future<Void> toxiproxyDown = toxiproxyApi == null ? Future.succeededFuture()
        : toxiproxyApi.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
    Future<Void> dataPlaneDown = dataPlane.shutdown(grace);
    // The admin API stays up while the listeners drain, as Envoy's does: /readyz answers 503 "draining" to probes on
    // new connections too, and /metrics shows the drain. It closes once the listeners have.
    Future<Void> adminDown = admin == null ? dataPlaneDown
        : dataPlaneDown.transform(ignored -> admin.shutdown(ADMIN_CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS));
    return Future.all(adminDown, toxiproxyDown, dataPlaneDown)
        .eventually(() -> {
          if (accessLog != null) {
            try {
              accessLog.close();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return cache.close()
              .eventually(() -> faults == null ? Future.succeededFuture() : faults.close())
              .eventually(() -> predictor == null ? Future.succeededFuture() : predictor.stop())
              .eventually(() -> jvmMeters.onSuccess(JvmMeters::close))
              .eventually(vertx::close);
        })
        .mapEmpty();
  }

  /**
   * Reads now the JDK data files the JDK opens only when first needed, above all the time-zone database that
   * java.util.logging's formatter loads with the first log line. Out of file descriptors (more clients than
   * {@code ulimit -n}), that first line is often Netty's report of the failed accept: the file cannot be opened, the
   * class initialisation fails for good, and the error escaped the event loop and stopped it. Loaded here, the report
   * is only a log line and the sidecar serves on.
   */
  static void loadLazyJdkFiles() {
    java.util.TimeZone.getDefault();
    java.time.ZoneId.systemDefault().getRules();
    new java.util.logging.SimpleFormatter().format(new java.util.logging.LogRecord(java.util.logging.Level.INFO, ""));
  }
}
