package io.sidecar.balancer;

import io.sidecar.balancer.breaker.CircuitBreaker;
import io.sidecar.balancer.breaker.CircuitBreakerState;
import io.sidecar.balancer.health.ActiveHealthChecker;
import io.sidecar.balancer.health.EndpointHealth;
import io.sidecar.balancer.health.HealthCheckConfig;
import io.sidecar.balancer.health.ProbeResult;
import io.sidecar.balancer.hedge.HedgeConfig;
import io.sidecar.balancer.hedge.HedgePolicy;
import io.sidecar.balancer.limit.GradientConcurrencyLimit;
import io.sidecar.balancer.limit.ResourceLimits;
import io.sidecar.balancer.load.EndpointState;
import io.sidecar.balancer.outlier.EjectionStatus;
import io.sidecar.balancer.outlier.OutlierDetector;
import io.sidecar.balancer.retry.RetryPolicy;
import io.sidecar.balancer.strategy.LeastRequest;
import io.sidecar.balancer.strategy.LoadBalancingStrategy;
import io.sidecar.balancer.strategy.P2cPeakEwma;
import io.sidecar.balancer.strategy.Predictive;
import io.sidecar.balancer.strategy.Prediction;
import io.sidecar.balancer.strategy.RoundRobin;
import io.sidecar.balancer.strategy.SlowStart;
import io.sidecar.balancer.strategy.StrategyName;
import io.sidecar.balancer.strategy.WeightedRoundRobin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The per-cluster decision point the proxy calls: which endpoint gets a try, whether the cluster may take it
 * (breaker, limits, retry budget, adaptive concurrency), and what each finished try teaches (strategy statistics,
 * outlier detection, breakers, concurrency limit).
 *
 * <pre>
 *   Pick p = cluster.pick(Set.of());                 // first try
 *   if (!p.isAccepted()) → 503 with p.refusal().flag()
 *   CallHandle h = p.handle();  connect to h.address() ...
 *   h.complete(latencyNanos, Outcome.status(200), LoadHint.parseHeader(resp.getHeader("x-sidecar-load")));
 *   // retry: cluster.retryPolicy().shouldRetry(...) then cluster.pick(Set.of(h.address()), CallKind.RETRY)
 * </pre>
 *
 * Thread-safe: one lock per cluster guards all mutable state; critical sections are short (a pick looks at no more
 * than {@code predictive.maxConsidered} endpoints for the predictive strategy, two for P2C).
 * Outlier detection runs lazily: a pick or completion after an interval has passed runs the interval check, so the
 * proxy needs no timer (it may still call {@link #evaluateOutliers()}).
 */
public final class ClusterBalancer {

    private final String name;
    private final LongSupplier nanoClock;
    private final RandomGenerator random;

    private BalancerConfig config;
    private LoadBalancingStrategy strategy;
    private Predictive explainer;
    private OutlierDetector outliers;
    /** Null when active health checking is off. */
    private ActiveHealthChecker healthChecker;
    private CircuitBreaker clusterBreaker;
    private RetryPolicy retryPolicy;
    private HedgePolicy hedgePolicy;
    private ResourceLimits limits;
    private GradientConcurrencyLimit concurrencyLimit;
    private SlowStart slowStart;
    private EndpointState.Tuning tuning;

    private final Map<String, EndpointState> endpoints = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker> endpointBreakers = new HashMap<>();
    private List<EndpointState> endpointList = List.of();
    private int activeRequests;
    private int activeRetries;
    private double hedgeTokens;
    private boolean panic;

    /** Production constructor: System.nanoTime and a random seed. */
    public static ClusterBalancer create(String name, BalancerConfig config, List<Endpoint> endpoints) {
        return new ClusterBalancer(name, config, endpoints, System::nanoTime, new SplittableRandom());
    }

    public ClusterBalancer(String name, BalancerConfig config, List<Endpoint> endpoints, LongSupplier nanoClock,
                           RandomGenerator random) {
        this.name = name;
        this.nanoClock = nanoClock;
        this.random = random;
        long now = nanoClock.getAsLong();
        apply(config, now, true);
        replaceEndpoints(endpoints, now, false);
    }

    private void apply(BalancerConfig next, long now, boolean initial) {
        BalancerConfig prev = this.config;
        this.config = next;
        this.tuning = new EndpointState.Tuning(next.peakEwma().decay().toNanos(),
                next.peakEwma().defaultRtt().toNanos(), next.predictive().modelDecay().toNanos(),
                next.predictive().errorDecay().toNanos(), next.trafficShareWindow().toNanos(),
                next.predictive().hintTtl().toNanos(), next.predictive().peerTtl().toNanos(),
                next.predictive().minSamples());
        this.slowStart = new SlowStart(next.slowStart().window().toNanos(), next.slowStart().aggression(),
                next.slowStart().minWeightPercent() / 100.0);
        this.strategy = newStrategy(next.strategy());
        this.explainer = new Predictive(next.predictive(), random);
        if (initial || !prev.outlierDetection().equals(next.outlierDetection())) {
            this.outliers = new OutlierDetector(next.outlierDetection(), random, now);
            outliers.setHosts(endpoints.keySet());
        }
        if (!next.healthCheck().enabled()) {
            healthChecker = null;
        } else if (healthChecker == null) {
            healthChecker = new ActiveHealthChecker(next.healthCheck(), random);
            healthChecker.setHosts(endpoints.keySet(), now);
        } else if (!prev.healthCheck().equals(next.healthCheck())) {
            healthChecker.reconfigure(next.healthCheck());
        }
        healthyEndpoints = null; // the detectors or the panic threshold may have changed: derive the list again
        if (initial || !prev.clusterBreaker().equals(next.clusterBreaker())) {
            this.clusterBreaker = new CircuitBreaker(name, next.clusterBreaker(), nanoClock);
        }
        if (!initial && !prev.endpointBreaker().equals(next.endpointBreaker())) {
            endpointBreakers.clear();
            for (String address : endpoints.keySet()) {
                addEndpointBreaker(address);
            }
        }
        this.retryPolicy = new RetryPolicy(next.retry());
        this.hedgePolicy = new HedgePolicy(next.hedge());
        if (initial || !prev.limits().equals(next.limits())) {
            this.limits = new ResourceLimits(next.limits());
        }
        if (initial || !prev.adaptiveConcurrency().equals(next.adaptiveConcurrency())) {
            this.concurrencyLimit = next.adaptiveConcurrency().enabled()
                    ? new GradientConcurrencyLimit(next.adaptiveConcurrency(), now) : null;
        }
    }

    private LoadBalancingStrategy newStrategy(StrategyName s) {
        return switch (s) {
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobin(slowStart);
            case LEAST_REQUEST -> new LeastRequest(config.leastRequest().choiceCount(),
                    config.leastRequest().activeRequestBias(), slowStart, random);
            case P2C_PEAK_EWMA -> new P2cPeakEwma(random);
            case PREDICTIVE -> new Predictive(config.predictive(), random);
        };
    }

    private void addEndpointBreaker(String address) {
        if (config.endpointBreaker().enabled()) {
            endpointBreakers.put(address, new CircuitBreaker(name + "/" + address, config.endpointBreaker(), nanoClock));
        }
    }

    private void replaceEndpoints(List<Endpoint> list, long now, boolean slowStartEligible) {
        Map<String, EndpointState> old = new HashMap<>(endpoints);
        endpoints.clear();
        for (Endpoint e : list) {
            if (endpoints.containsKey(e.address())) {
                throw new IllegalArgumentException("duplicate endpoint address " + e.address());
            }
            EndpointState s = old.get(e.address());
            if (s == null) {
                s = new EndpointState(e, now, slowStartEligible, tuning);
                addEndpointBreaker(e.address());
            } else {
                s.setWeight(e.weight());
            }
            endpoints.put(e.address(), s);
        }
        for (EndpointState gone : old.values()) {
            if (endpoints.get(gone.address()) != gone) {
                gone.markRemoved();
            }
        }
        endpointBreakers.keySet().retainAll(endpoints.keySet());
        endpointList = List.copyOf(endpoints.values());
        outliers.setHosts(endpoints.keySet()); // moves its version: candidates() derives the healthy list again
        if (healthChecker != null) {
            healthChecker.setHosts(endpoints.keySet(), now);
        }
    }

    public String name() {
        return name;
    }

    public synchronized BalancerConfig config() {
        return config;
    }

    /**
     * Replaces the endpoint list; endpoints whose address is unchanged keep all their state (statistics, ejection,
     * breaker). New endpoints enter slow start when it is configured. In-flight handles of removed endpoints may
     * still be completed (ignored for the removed endpoint).
     */
    public synchronized void updateEndpoints(List<Endpoint> list) {
        replaceEndpoints(list, nanoClock.getAsLong(), true);
    }

    /** Applies a new config; endpoint statistics survive, and so do breaker/outlier/limit state whose config is unchanged. */
    public synchronized void reconfigure(BalancerConfig next) {
        apply(next, nanoClock.getAsLong(), false);
    }

    /** Switches strategy at run time; unknown name → IllegalArgumentException naming the valid ones. */
    public synchronized void setStrategy(String strategyName) {
        StrategyName s = StrategyName.parse(strategyName);
        this.config = config.toBuilder().strategy(s).build();
        this.strategy = newStrategy(s);
    }

    public synchronized StrategyName strategy() {
        return strategy.name();
    }

    public synchronized RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public synchronized HedgePolicy hedgePolicy() {
        return hedgePolicy;
    }

    /** Connection / pending-request limits the proxy's pool enforces. */
    public synchronized ResourceLimits limits() {
        return limits;
    }

    /** The cluster breaker (its transition methods serve the control API). */
    public synchronized CircuitBreaker clusterBreaker() {
        return clusterBreaker;
    }

    /** An endpoint's own breaker when per-endpoint breakers are configured. */
    public synchronized Optional<CircuitBreaker> endpointBreaker(String address) {
        return Optional.ofNullable(endpointBreakers.get(address));
    }

    public synchronized int activeRequests() {
        return activeRequests;
    }

    public synchronized int activeRetries() {
        return activeRetries;
    }

    /** First try of a request, any endpoint. */
    public Pick pick() {
        return pick(Set.of(), CallKind.FIRST);
    }

    /** First try avoiding {@code excluded} addresses when another endpoint exists. */
    public Pick pick(Set<String> excluded) {
        return pick(excluded, CallKind.FIRST);
    }

    /**
     * Chooses an endpoint and starts a try on it, or refuses.
     *
     * @param excluded addresses to avoid (e.g. those already tried); ignored when nothing else is left
     * @param kind     RETRY and HEDGE tries are subject to max_retries and the retry budget, HEDGE also to the hedge
     *                 budget (hedge.budgetPercent of first tries); refusal RETRY_OVERFLOW
     */
    public Pick pick(Set<String> excluded, CallKind kind) {
        return pick(excluded, kind, 0);
    }

    /**
     * As {@link #pick(Set, CallKind)}, with the try's timeout ({@code tryTimeoutNanos}, 0 = none): when every
     * endpoint's predicted latency already exceeds it (overload), {@code predictive} sends the try to the most
     * overloaded endpoint instead of pushing a healthy one past the deadline too.
     */
    public synchronized Pick pick(Set<String> excluded, CallKind kind, long tryTimeoutNanos) {
        long now = nanoClock.getAsLong();
        maybeEvaluate(now);
        boolean extraTry = kind != CallKind.FIRST;
        if (extraTry && (activeRetries >= config.limits().maxRetries()
                || !retryPolicy.withinBudget(activeRetries, activeRequests, limits.pendingRequests()))) {
            return Pick.refused(Refusal.RETRY_OVERFLOW);
        }
        if (kind == CallKind.HEDGE && hedgeTokens < 1.0) {
            return Pick.refused(Refusal.RETRY_OVERFLOW);
        }
        if (activeRequests >= config.limits().maxRequests()) {
            return Pick.refused(Refusal.LIMIT_OVERFLOW);
        }
        if (concurrencyLimit != null && activeRequests >= concurrencyLimit.limit(now)) {
            return Pick.refused(Refusal.ADAPTIVE_CONCURRENCY);
        }
        if (!clusterBreaker.tryAcquirePermission()) {
            return Pick.refused(Refusal.BREAKER_OPEN);
        }
        List<EndpointState> candidates = candidates(excluded);
        if (candidates.isEmpty()) {
            clusterBreaker.releasePermission();
            return Pick.refused(Refusal.NO_HEALTHY_ENDPOINT);
        }
        List<EndpointState> permitted = candidates;
        if (!endpointBreakers.isEmpty()) {
            permitted = new ArrayList<>(candidates.size());
            for (EndpointState s : candidates) {
                CircuitBreaker b = endpointBreakers.get(s.address());
                if (b == null || b.wouldPermit()) {
                    permitted.add(s);
                }
            }
        }
        while (!permitted.isEmpty()) {
            EndpointState chosen = strategy.choose(permitted, now, tryTimeoutNanos);
            CircuitBreaker b = endpointBreakers.get(chosen.address());
            if (b != null && !b.tryAcquirePermission()) {
                permitted = new ArrayList<>(permitted);
                permitted.remove(chosen);
                continue;
            }
            int level = chosen.onStart(now);
            if (healthChecker != null) {
                healthChecker.onTraffic(now);
            }
            if (kind == CallKind.FIRST) {
                hedgeTokens = Math.min(HedgeConfig.MAX_BUDGET_TOKENS,
                        hedgeTokens + config.hedge().budgetPercent() / 100.0);
            } else if (kind == CallKind.HEDGE) {
                hedgeTokens -= 1.0;
            }
            activeRequests++;
            if (extraTry) {
                activeRetries++;
            }
            return Pick.accepted(new CallHandle(this, chosen, b, kind, now, level));
        }
        clusterBreaker.releasePermission();
        return Pick.refused(Refusal.BREAKER_OPEN);
    }

    /**
     * The endpoints that are healthy for load balancing, and whether the cluster is in panic, as of the outlier
     * detector's and the health checker's versions recorded beside them (a new endpoint list moves both); null when
     * {@link #apply} may have replaced a detector or changed the panic threshold. A pick reuses them until then:
     * asking the detector and the checker about every endpoint is two map lookups per endpoint and pick. Read under
     * the lock; the list is immutable (a strategy keeps no list, exclusions make a new one).
     */
    private List<EndpointState> healthyEndpoints;
    private long healthyOutlierVersion;
    private long healthyCheckerVersion;

    private List<EndpointState> candidates(Set<String> excluded) {
        long checkerVersion = healthChecker == null ? 0 : healthChecker.version();
        if (healthyEndpoints == null || healthyOutlierVersion != outliers.version()
                || healthyCheckerVersion != checkerVersion) {
            ArrayList<EndpointState> healthy = new ArrayList<>(endpointList.size());
            for (EndpointState s : endpointList) {
                if (isHealthy(s.address())) {
                    healthy.add(s);
                }
            }
            healthyEndpoints = List.copyOf(healthy); // immutable: a strategy that changed it would throw
            int threshold = config.outlierDetection().panicThresholdPercent();
            panic = !endpointList.isEmpty() && healthy.size() * 100.0 < threshold * (double) endpointList.size();
            healthyOutlierVersion = outliers.version();
            healthyCheckerVersion = checkerVersion;
        }
        List<EndpointState> healthy = healthyEndpoints;
        List<EndpointState> base = panic ? endpointList : healthy;
        if (excluded == null || excluded.isEmpty()) {
            return base;
        }
        List<EndpointState> rest = new ArrayList<>(base.size());
        for (EndpointState s : base) {
            if (!excluded.contains(s.address())) {
                rest.add(s);
            }
        }
        return rest.isEmpty() ? base : rest;
    }

    synchronized void onComplete(CallHandle h, long latencyNanos, Outcome outcome, LoadHint hint) {
        long now = nanoClock.getAsLong();
        long latency = latencyNanos >= 0 ? latencyNanos : Math.max(0, now - h.startNanos());
        activeRequests = Math.max(0, activeRequests - 1);
        if (h.kind() != CallKind.FIRST) {
            activeRetries = Math.max(0, activeRetries - 1);
        }
        EndpointState s = h.endpointState();
        s.onComplete(now, latency, outcome, hint, h.levelAtSend());
        CircuitBreaker eb = h.endpointBreaker();
        if (outcome.isCancelled()) {
            clusterBreaker.releasePermission();
            if (eb != null) {
                eb.releasePermission();
            }
            return;
        }
        if (!s.isRemoved()) {
            outliers.onResult(s.address(), outcome, now);
        }
        clusterBreaker.onResult(latency, outcome.isFailure());
        if (eb != null) {
            eb.onResult(latency, outcome.isFailure());
        }
        if (concurrencyLimit != null && !outcome.isFailure()) {
            concurrencyLimit.onSample(now, latency);
        }
        maybeEvaluate(now);
    }

    /** Envoy: a host is healthy for load balancing when neither active health checking nor outlier detection fails it. */
    private boolean isHealthy(String address) {
        return !outliers.isEjected(address) && (healthChecker == null || healthChecker.isHealthy(address));
    }

    private void maybeEvaluate(long now) {
        if (outliers.evaluationDue(now)) {
            outliers.evaluate(now);
        }
    }

    /** Runs the outlier interval check now (unejection, success-rate ejection). */
    public synchronized void evaluateOutliers() {
        outliers.evaluate(nanoClock.getAsLong());
    }

    public synchronized boolean isEjected(String address) {
        return outliers.isEjected(address);
    }

    /** The active health-check settings in force ({@link HealthCheckConfig#enabled()} false when off). */
    public synchronized HealthCheckConfig healthCheckConfig() {
        return config.healthCheck();
    }

    /**
     * Endpoints whose active health check is due now; each counts as in flight until
     * {@link #onHealthCheckResult} reports it. Empty when health checking is off.
     */
    public synchronized List<String> startDueHealthChecks() {
        return healthChecker == null ? List.of() : healthChecker.startDueChecks(nanoClock.getAsLong());
    }

    /** Nanoseconds until the next health check is due (0 if one is due now); Long.MAX_VALUE when none is. */
    public synchronized long nanosUntilNextHealthCheck() {
        if (healthChecker == null) {
            return Long.MAX_VALUE;
        }
        long next = healthChecker.nextDueNanos();
        return next == Long.MAX_VALUE ? next : Math.max(0, next - nanoClock.getAsLong());
    }

    /**
     * One probe's result. A pass of an endpoint that is then healthy also ends its outlier ejection when
     * {@code outlierDetection.successfulActiveHealthCheckUnejectHost} (Envoy's default).
     */
    public synchronized ActiveHealthChecker.Transition onHealthCheckResult(String address, ProbeResult result) {
        if (healthChecker == null) {
            return ActiveHealthChecker.Transition.IGNORED;
        }
        long now = nanoClock.getAsLong();
        ActiveHealthChecker.Transition t = healthChecker.onResult(address, result, now);
        if (t != ActiveHealthChecker.Transition.IGNORED && healthChecker.isHealthy(address) && config.outlierDetection().successfulActiveHealthCheckUnejectHost()) {
            outliers.uneject(address, now);
        }
        return t;
    }

    /** An endpoint's active health-check state; empty when checking is off or the address is unknown. */
    public synchronized Optional<EndpointHealth> healthCheckStatus(String address) {
        return healthChecker == null ? Optional.empty() : Optional.ofNullable(healthChecker.status(address));
    }

    /**
     * Delay before hedging {@code first}, or empty when this request must not be hedged (hedging off, or a
     * non-idempotent method without override). The hedge is then {@code pick(Set.of(first.address()),
     * CallKind.HEDGE)}; the loser is {@link CallHandle#cancel() cancelled}.
     */
    public synchronized OptionalLong hedgeDelayNanos(CallHandle first, String method, boolean idempotentOverride) {
        return hedgePolicy.hedgeDelayNanos(method, idempotentOverride, first.endpointState().recentLatencies());
    }

    /**
     * A load report about {@code address} from outside the request path (issue #6: the endpoint's own sidecar
     * publishes one every second). {@code predictive} uses it while younger than {@code predictive.peerTtl}, below a
     * fresh response hint: a floor on the load level and on the predicted latency (its p50), and its error ratio as
     * a prior for the failure probability of an endpoint with few own observations.
     *
     * @return false when the address is not an endpoint of this cluster, or the report is older than the one held
     *         (ignored)
     */
    public synchronized boolean observePeerLoad(String address, PeerLoad load) {
        java.util.Objects.requireNonNull(load, "load");
        EndpointState s = address == null ? null : endpoints.get(address);
        return s != null && s.observePeer(nanoClock.getAsLong(), load);
    }

    /** Read-only view for {@code GET /clusters/{name}}. */
    public synchronized ClusterSnapshot snapshot() {
        long now = nanoClock.getAsLong();
        candidates(Set.of());
        double totalPicks = 0;
        for (EndpointState s : endpointList) {
            totalPicks += s.recentPicks(now);
        }
        Map<String, Prediction> predictions = new HashMap<>();
        double bestCost = Double.POSITIVE_INFINITY;
        for (EndpointState s : endpointList) {
            Prediction p = explainer.predict(s, now);
            predictions.put(s.address(), p);
            if (isHealthy(s.address())) {
                bestCost = Math.min(bestCost, p.costNanos());
            }
        }
        double hot = endpointList.isEmpty() ? 0 : explainer.hotThreshold(endpointList, now);
        List<EndpointSnapshot> list = new ArrayList<>();
        for (EndpointState s : endpointList) {
            Prediction p = predictions.get(s.address());
            EjectionStatus ej = outliers.status(s.address());
            CircuitBreaker b = endpointBreakers.get(s.address());
            String reason = avoidedReason(s, p, ej, b, bestCost, hot, now);
            PeerLoad peer = s.freshPeer(now);
            EndpointHealth health = healthChecker == null ? null : healthChecker.status(s.address());
            list.add(new EndpointSnapshot(s.address(), s.weight(), s.pending(), s.requests(), s.failures(),
                    ms(s.peakEwma().estimate(now)), ms(percentile(s, 0.5)), ms(percentile(s, 0.95)),
                    ms(p.predictedLatencyNanos()), ms(p.costNanos()), p.failureProbability(),
                    totalPicks > 0 ? s.recentPicks(now) / totalPicks : 0.0, p.confidence(), p.fallback(),
                    slowStart.factor(s, now), ej.ejected(), ej.reason() == null ? null : ej.reason().id(),
                    ms(ej.ejectedForNanos()), ej.ejectionMultiplier(), b == null ? null : b.state().name(),
                    health == null ? null : health.status().id(), reason,
                    peer == null ? null : peer.inFlight(),
                    peer == null || !peer.hasP50() ? null : peer.p50Ms(),
                    peer == null || !peer.hasErrorRate() ? null : peer.errorRate(),
                    peer == null ? null : ms(now - peer.observedAtNanos())));
        }
        CircuitBreaker.Metrics m = clusterBreaker.metrics();
        return new ClusterSnapshot(name, strategy.name().id(), m.state().name(), m.failureRate(), m.slowCallRate(),
                panic, activeRequests, activeRetries, concurrencyLimit == null ? -1 : concurrencyLimit.limit(now),
                Collections.unmodifiableList(list));
    }

    private static double percentile(EndpointState s, double q) {
        long v = s.recentLatencies().percentile(q);
        return v < 0 ? Double.NaN : v;
    }

    private static double ms(double nanos) {
        return Double.isNaN(nanos) ? Double.NaN : Math.round(nanos / 1_000.0) / 1_000.0;
    }

    private String avoidedReason(EndpointState s, Prediction p, EjectionStatus ej, CircuitBreaker b, double bestCost,
                                 double hot, long now) {
        String failedCheck = healthChecker == null ? null : healthChecker.explanation(s.address());
        if (failedCheck != null) {
            return failedCheck + (panic ? "; cluster in panic: still used" : "");
        }
        if (ej.ejected()) {
            return "ejected by outlier detection (" + (ej.reason() == null ? "?" : ej.reason().id()) + ") for "
                    + Math.round(ej.ejectedForNanos() / 1e6) + " ms" + (panic ? "; cluster in panic: still used" : "");
        }
        if (b != null && b.state() != CircuitBreakerState.CLOSED && !b.state().allowsCalls()) {
            return "endpoint breaker " + b.state().name();
        }
        if (slowStart.inSlowStart(s, now) && strategy.name() != StrategyName.ROUND_ROBIN) {
            return String.format("slow start: weight at %.0f%%", 100 * slowStart.factor(s, now));
        }
        if (strategy.name() != StrategyName.PREDICTIVE) {
            return null;
        }
        PeerLoad peer = s.freshPeer(now);
        long peerAgeMs = peer == null ? 0 : Math.round((now - peer.observedAtNanos()) / 1e6);
        int level = s.loadLevel(now);
        if (level - 1 > hot) {
            int peerFloor = s.peerLevelFloor(now);
            boolean byPeer = peerFloor == level && peerFloor > s.pending() + 1;
            return String.format("hot: %d in flight%s, above the q%.2f of the cluster (%.0f)",
                    level - 1, byPeer ? " (peer report, " + peerAgeMs + " ms old)" : "",
                    config.predictive().hotQuantile(), hot);
        }
        if (p.costNanos() <= 1.5 * bestCost + 1_000_000) {
            return null;
        }
        double failureCost = p.failureProbability() * config.predictive().failurePenalty().toNanos();
        if (p.silentNanos() >= p.modelLatencyNanos() && p.silentNanos() >= failureCost) {
            return String.format("no response for %.0f ms with %d in flight", p.silentNanos() / 1e6, s.pending());
        }
        if (failureCost > p.predictedLatencyNanos()) {
            return String.format("predicted failure rate %.0f%%%s", 100 * p.failureProbability(),
                    peer != null && peer.hasErrorRate() ? String.format(" (peer reports %.0f%% errors, %d ms old)",
                            100 * peer.errorRate(), peerAgeMs) : "");
        }
        if (!Double.isNaN(p.peerP50Nanos()) && p.peerP50Nanos() >= p.predictedLatencyNanos()
                && p.peerP50Nanos() > p.modelLatencyNanos()) {
            return String.format("peer reports p50 %.1f ms with %d in flight (%d ms ago) vs best %.1f ms",
                    peer.p50Ms(), peer.inFlight(), peerAgeMs, bestCost / 1e6);
        }
        return String.format("predicted latency %.1f ms vs best %.1f ms", p.predictedLatencyNanos() / 1e6,
                bestCost / 1e6);
    }

    /** The predictive model's current view of one endpoint (for explanation and tests). */
    public synchronized Optional<Prediction> prediction(String address) {
        EndpointState s = endpoints.get(address);
        return s == null ? Optional.empty() : Optional.of(explainer.predict(s, nanoClock.getAsLong()));
    }

}
