package io.sidecar.predictor;

import io.sidecar.predictor.anomaly.Alert;
import io.sidecar.predictor.anomaly.AnomalyDetector;
import io.sidecar.predictor.anomaly.AnomalyScore;
import io.sidecar.predictor.config.PredictorConfig;
import io.sidecar.predictor.forecast.Forecast;
import io.sidecar.predictor.forecast.ForecasterConfig;
import io.sidecar.predictor.forecast.ModelVersion;
import io.sidecar.predictor.forecast.OnlineForecaster;
import io.sidecar.predictor.history.HistoryStore;
import io.sidecar.predictor.peers.PeerSnapshot;
import io.sidecar.predictor.peers.PeerTable;
import io.sidecar.predictor.peers.ServiceView;
import io.sidecar.predictor.scaling.CapacityEstimate;
import io.sidecar.predictor.scaling.CapacityEstimator;
import io.sidecar.predictor.scaling.ScalingAdvice;
import io.sidecar.predictor.scaling.ScalingAdvisor;
import io.sidecar.predictor.signals.MinuteRollup;
import io.sidecar.predictor.signals.Signals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The predictor as one object (plain Java; {@link PredictorRuntime} adds the timers, Redis and PostgreSQL):
 * signals in, once a minute forecasts, anomaly scores, alerts and scaling advice out.
 *
 * <p>Per route, from each minute roll-up: a forecaster of the request rate ({@code route:<name>:rate}) and of the
 * p99 latency ({@code route:<name>:p99_ms}); anomaly detectors on rate, p99 latency (with peer comparison) and
 * error rate (with peer comparison). Service-wide, each minute: the service's request rate (this instance's plus
 * its live peers') is forecast ({@code service:rate}), its peak over the scaling horizon divided by this
 * instance's capacity (USL or latency knee over the serving routes) gives the replica advice.
 *
 * <p>Thread-safety: {@link #tick()} runs on one timer thread; {@link #restore} may run concurrently (both take
 * the models' lock); the read methods may be called from any thread.
 */
public final class Predictor {
    public static final int RECENT_ALERTS = 200;
    public static final String SERVICE_RATE = "service:rate";
    /** Residual-scale floors, in each metric's unit, so near-constant metrics do not alert on noise. */
    static final double MIN_SIGMA_RATE = 0.05;
    static final double MIN_SIGMA_LATENCY_MS = 1.0;
    static final double MIN_SIGMA_ERROR_RATE = 0.005;

    private final PredictorConfig config;
    private final Clock clock;
    private final HistoryStore history;
    private final Signals signals;
    private final PeerTable peers;
    private final ScalingAdvisor advisor;
    private final CapacityEstimator capacity;
    private final ConcurrentHashMap<String, OnlineForecaster> forecasters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AnomalyDetector> detectors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> versionsSeen = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Double> lastScores = new ConcurrentHashMap<>();
    private final ArrayDeque<Alert> alerts = new ArrayDeque<>();
    private final AtomicLong seq = new AtomicLong();
    private final List<MinuteRollup> minute = new ArrayList<>();
    /** Guards the detectors and the minute pipeline: the timer and a restore may run at the same time. */
    private final Object models = new Object();
    private volatile Set<String> servingRoutes;
    private volatile boolean restoring;

    public Predictor(PredictorConfig config, Clock clock, HistoryStore history) {
        this.config = config;
        this.clock = clock;
        this.history = history;
        this.signals = new Signals(clock);
        this.peers = new PeerTable(config.service(), config.instance(), config.peers().forgetAfter(), clock);
        this.advisor = new ScalingAdvisor(config.scaling(), clock);
        this.capacity = new CapacityEstimator(CapacityEstimator.DEFAULT_WINDOW, config.scaling().latencySloMillis());
        signals.onMinute(this::collect);
    }

    public Signals signals() {
        return signals;
    }

    public PeerTable peers() {
        return peers;
    }

    public HistoryStore history() {
        return history;
    }

    public PredictorConfig config() {
        return config;
    }

    /**
     * The routes that serve this instance's own service (the inbound listener's routes): their load is what
     * capacity and scaling are about. Default (null): all routes.
     */
    public void servingRoutes(Set<String> routes) {
        this.servingRoutes = routes == null ? null : Set.copyOf(routes);
    }

    /** Call once a second (one timer): advances the signal windows and, once a minute, runs the models. */
    public void tick() {
        int produced = signals.tick();
        if (produced > 0) {
            List<MinuteRollup> batch;
            synchronized (minute) {
                batch = new ArrayList<>(minute);
                minute.clear();
            }
            onMinute(batch, clock.instant());
        }
    }

    private void collect(MinuteRollup r) {
        synchronized (minute) {
            minute.add(r);
        }
    }

    /** Runs the models on one minute of roll-ups (exposed for tests and for restoring from history). */
    void onMinute(List<MinuteRollup> rollups, Instant now) {
        synchronized (models) {
            runMinute(rollups, now);
        }
    }

    private void runMinute(List<MinuteRollup> rollups, Instant now) {
        double servingRate = 0;
        double servingConcurrency = 0;
        double servingP99 = Double.NaN;
        Set<String> serving = servingRoutes;
        for (MinuteRollup r : rollups) {
            history.appendRollup(r);
            if (!Signals.ROUTE.equals(r.kind())) {
                continue;
            }
            observeRoute(r, now);
            if (serving == null || serving.contains(r.name())) {
                servingRate += r.ratePerSecond();
                servingConcurrency += r.meanInFlight();
                if (!Double.isNaN(r.p99Ms())) {
                    servingP99 = Double.isNaN(servingP99) ? r.p99Ms() : Math.max(servingP99, r.p99Ms());
                }
            }
        }
        if (servingRate > 0) {
            capacity.add(new CapacityEstimator.Sample(servingConcurrency, servingRate, servingP99));
        }
        serviceMinute(servingRate);
    }

    private void observeRoute(MinuteRollup r, Instant now) {
        String base = "route:" + r.name() + ":";
        observeForecast(base + "rate", r.ratePerSecond());
        observeForecast(base + "p99_ms", r.p99Ms());
        score(base + "rate", now, r.ratePerSecond(), null, MIN_SIGMA_RATE);
        score(base + "p99_ms", now, r.p99Ms(), peerRouteValues(r.name(), PeerSnapshot.RouteLoad::p99Ms),
                MIN_SIGMA_LATENCY_MS);
        score(base + "error_rate", now, r.errorRate(), peerRouteValues(r.name(),
                PeerSnapshot.RouteLoad::errorRate), MIN_SIGMA_ERROR_RATE);
    }

    private double[] peerRouteValues(String route, ToDoubleFunction<PeerSnapshot.RouteLoad> metric) {
        List<PeerSnapshot> live = peers.peers();
        double[] out = new double[live.size()];
        int n = 0;
        for (PeerSnapshot p : live) {
            PeerSnapshot.RouteLoad load = p.routes().get(route);
            if (load != null && Double.isFinite(metric.applyAsDouble(load))) {
                out[n++] = metric.applyAsDouble(load);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private void observeForecast(String key, double value) {
        OnlineForecaster f = forecasters.computeIfAbsent(key,
                k -> new OnlineForecaster(ForecasterConfig.forStep(60, 30), clock));
        f.observe(value);
        List<ModelVersion> versions = f.versions();
        int seen = versionsSeen.getOrDefault(key, 0);
        int newest = versions.isEmpty() ? 0 : versions.get(versions.size() - 1).id();
        if (newest > seen) {
            for (ModelVersion v : versions) {
                if (v.id() > seen && !restoring) {
                    history.appendModelVersion(key, v);
                }
            }
            versionsSeen.put(key, newest);
        }
    }

    private void score(String key, Instant now, double value, double[] peerValues, double minSigma) {
        AnomalyDetector d = detectors.computeIfAbsent(key, k -> new AnomalyDetector(k, config.anomaly(),
                ForecasterConfig.forStep(60, 1), clock, minSigma));
        AnomalyScore s = d.observe(now, value, peerValues);
        lastScores.put(key, s.score());
        if (restoring) {
            return;
        }
        s.alert().ifPresent(a -> {
            synchronized (alerts) {
                alerts.addFirst(a);
                while (alerts.size() > RECENT_ALERTS) {
                    alerts.removeLast();
                }
            }
            history.appendAlert(a);
        });
    }

    private void serviceMinute(double localRate) {
        PeerSnapshot self = localSnapshot();
        ServiceView view = peers.view(self);
        // the service's rate: this instance's minute rate plus its live peers' latest rates
        double serviceRate = localRate + (view.totalRate() - (Double.isFinite(self.rate()) ? self.rate() : 0));
        observeForecast(SERVICE_RATE, serviceRate);
        if (restoring) {
            return;
        }
        int horizonMinutes = (int) config.scaling().horizon().toMinutes();
        double peak = ScalingAdvisor.peak(forecasters.get(SERVICE_RATE).forecasts(horizonMinutes));
        if (Double.isNaN(peak)) {
            peak = serviceRate;
        }
        ScalingAdvice advice = advisor.advise(peak, capacity.estimate().orElse(null));
        history.appendAdvice(advice);
    }

    /** This instance's compact snapshot, published to peers and served at {@code GET /signals/snapshot}. */
    public PeerSnapshot localSnapshot() {
        return PeerSnapshot.of(config.service(), config.instance(), seq.incrementAndGet(), signals.snapshot(),
                        servingRoutes)
                .withAddr(config.peers().advertise());
    }

    /**
     * The instance-wide load hint for the serving side ({@code x-sidecar-load}): requests in flight summed over
     * the serving routes, and the largest of their 10-second median latencies. For a per-route hint use
     * {@code signals().route(name).loadHint()}.
     */
    public io.sidecar.predictor.signals.LoadHint loadHint() {
        Set<String> serving = servingRoutes;
        long rif = 0;
        double p50 = Double.NaN;
        for (io.sidecar.predictor.signals.TrafficSignals t : signals.routes()) {
            if (serving == null || serving.contains(t.name())) {
                rif += t.inFlight();
                double m = t.p50Last10sMs();
                if (!Double.isNaN(m) && (Double.isNaN(p50) || m > p50)) {
                    p50 = m;
                }
            }
        }
        return new io.sidecar.predictor.signals.LoadHint(rif, p50);
    }

    /** The service-wide view (this instance and its live peers). */
    public ServiceView serviceView() {
        return peers.view(localSnapshot());
    }

    /** {@code GET /anomalies}: the recent alerts, newest first. */
    public List<Alert> recentAlerts(int limit) {
        synchronized (alerts) {
            return alerts.stream().limit(limit).toList();
        }
    }

    /** The last anomaly score of every metric (for a {@code ..._anomaly_score} gauge). */
    public Map<String, Double> anomalyScores() {
        return new TreeMap<>(lastScores);
    }

    /** {@code GET /scaling}: the last advice, empty before the first minute. */
    public Optional<ScalingAdvice> scaling() {
        return Optional.ofNullable(advisor.last());
    }

    /** For the {@code ..._recommended_replicas} gauge. */
    public int recommendedReplicas() {
        return advisor.recommendedReplicas();
    }

    public Optional<CapacityEstimate> capacity() {
        return capacity.estimate();
    }

    /** The forecast metrics known so far ({@code route:<name>:rate}, {@code route:<name>:p99_ms}, service:rate). */
    public Set<String> forecastMetrics() {
        return new java.util.TreeSet<>(forecasters.keySet());
    }

    /** Forecasts 1..horizon minutes ahead with intervals; empty when unknown or warming up. */
    public List<Forecast> forecast(String metric, int horizon) {
        OnlineForecaster f = forecasters.get(metric);
        return f == null ? List.of() : f.forecasts(Math.max(1, Math.min(30, horizon)));
    }

    public Optional<OnlineForecaster> forecaster(String metric) {
        return Optional.ofNullable(forecasters.get(metric));
    }

    public List<ModelVersion> modelVersions(String metric) {
        OnlineForecaster f = forecasters.get(metric);
        return f == null ? List.of() : f.versions();
    }

    /** Rolls a metric's forecaster back to a listed version; throws IllegalArgumentException if unknown. */
    public ModelVersion rollback(String metric, int version) {
        OnlineForecaster f = forecasters.get(metric);
        if (f == null) {
            throw new IllegalArgumentException("no forecast metric " + metric);
        }
        return f.rollback(version);
    }

    /**
     * Rebuilds the seasonal baselines after a restart: reads the routes' roll-ups of the last {@code lookback}
     * from history and runs them through the models without raising alerts or advice. Call once at start-up
     * with the configured route names.
     *
     * @return the number of roll-ups replayed
     */
    public CompletionStage<Integer> restore(List<String> routes, Duration lookback) {
        Instant to = clock.instant();
        Instant from = to.minus(lookback);
        List<CompletableFuture<List<MinuteRollup>>> reads = new ArrayList<>();
        for (String route : routes) {
            reads.add(history.rollups(Signals.ROUTE, route, from, to).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
            TreeMap<Instant, List<MinuteRollup>> byMinute = new TreeMap<>();
            for (CompletableFuture<List<MinuteRollup>> f : reads) {
                for (MinuteRollup r : f.join()) {
                    byMinute.computeIfAbsent(r.minute(), m -> new ArrayList<>()).add(r);
                }
            }
            int n = 0;
            synchronized (models) {
                restoring = true;
                try {
                    for (Map.Entry<Instant, List<MinuteRollup>> e : byMinute.entrySet()) {
                        for (MinuteRollup r : e.getValue()) {
                            observeRoute(r, e.getKey());
                            n++;
                        }
                    }
                } finally {
                    restoring = false;
                }
            }
            return n;
        });
    }
}
