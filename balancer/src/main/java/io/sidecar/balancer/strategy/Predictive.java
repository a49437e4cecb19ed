package io.sidecar.balancer.strategy;

import io.sidecar.balancer.load.EndpointState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code predictive}: pick the endpoint with the lowest predicted cost of sending a request <em>now</em>.
 *
 * <h2>Model (per endpoint, online, see {@link Prediction})</h2>
 * <pre>
 *   level      = our in-flight + 1, raised to the upstream's reported in-flight (x-sidecar-load rif) while fresh,
 *                else to the in-flight of a fresh peer report ({@code PeerLoad}, within peerTtl)
 *   model      = latency-by-load(level)                 (Prequal's latency at the current RIF; {@code LatencyByLoad})
 *                or, with fewer than minSamples observations, peakEWMA · level (Finagle/Linkerd cost)
 *   predicted  = max(model, upstream p50, silent)        upstream p50: the response hint's, else a fresh peer
 *                                                        report's; silent = time without a response while requests are in
 *                                                        flight: a stuck endpoint is detected before its first
 *                                                        slow response arrives
 *   cost       = predicted + p(failure) · failurePenalty (expected latency-equivalent of a failed try)
 * </pre>
 *
 * <h2>Choice</h2>
 * Among {@code maxConsidered} (default 3) endpoints drawn at random for each pick (power of d choices):
 * <ol>
 *   <li>Explore: an idle endpoint (nothing in flight) not picked for {@code exploreInterval} (doubling, up to 8×,
 *       while it keeps being avoided) gets this request, so a recovered endpoint is found again; at most one probe in
 *       flight per avoided endpoint; none while a fresh peer report tells the endpoint's p50. Decayed weights make a probe after a long gap dominate the stale data.</li>
 *   <li>No considered endpoint has enough data (own observations or a fresh peer report): exact
 *       {@link P2cPeakEwma}.</li>
 *   <li>Prequal's hot-cold rule (Wydrowski et al., NSDI 2024, §4 "HCL"): an endpoint is hot when its requests in
 *       flight exceed the {@code hotQuantile} quantile of the considered endpoints'; among the cold ones take the
 *       lowest cost (ties broken at random); if all are hot take the lowest in-flight.</li>
 * </ol>
 * Weights and slow start are not used (as in Linkerd's balancer): the model learns capacity from latency.
 */
public final class Predictive implements LoadBalancingStrategy {

    private static final double CONFIDENCE_HALF_WEIGHT = 5.0;

    private final PredictiveConfig config;
    private final RandomGenerator random;
    private final P2cPeakEwma fallback;
    private final long failurePenaltyNanos;
    private final long exploreIntervalNanos;
    /** Explorations of an endpoint since it was last chosen on merit (the explore interval doubles with each). */
    private final java.util.Map<String, Integer> explorations = new java.util.HashMap<>();
    private static final int MAX_EXPLORE_DOUBLINGS = 3;

    public Predictive(PredictiveConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
        this.fallback = new P2cPeakEwma(random);
        this.failurePenaltyNanos = config.failurePenalty().toNanos();
        this.exploreIntervalNanos = config.exploreInterval().toNanos();
    }

    @Override
    public StrategyName name() {
        return StrategyName.PREDICTIVE;
    }

    /** The model's view of one endpoint right now (also shown by {@code GET /clusters/{name}}). */
    public Prediction predict(EndpointState s, long nowNanos) {
        int level = s.loadLevel(nowNanos);
        boolean fallbackCost = s.latencyByLoad().samples() < config.minSamples();
        double model = fallbackCost ? Double.NaN : s.latencyByLoad().predict(nowNanos, level);
        if (Double.isNaN(model)) {
            fallbackCost = true;
            model = s.peakEwma().estimate(nowNanos) * level;
        }
        double predicted = model;
        double hintP50 = s.freshHintP50Nanos(nowNanos);
        if (!Double.isNaN(hintP50)) {
            predicted = Math.max(predicted, hintP50);
        }
        double w = s.latencyByLoad().weight(nowNanos);
        double confidence = w / (w + CONFIDENCE_HALF_WEIGHT);
        double peerP50 = s.peerP50FloorNanos(nowNanos);
        if (!Double.isNaN(peerP50)) {
            predicted = withPeerP50(predicted, peerP50, w, config.minSamples());
        }
        long silent = s.silentNanos(nowNanos);
        predicted = Math.max(predicted, silent);
        double pFail = s.failureProbability(nowNanos);
        double cost = predicted + pFail * failurePenaltyNanos;
        return new Prediction(predicted, model, silent, pFail, cost, level, confidence, fallbackCost, peerP50);
    }

    /**
     * A fresh peer-reported p50 is a floor on the prediction, and it also corrects a prediction that is high only
     * because our own evidence is old. The report counts as k = minSamples observations (as for the error prior),
     * our own model as its decayed weight w; the excess of our prediction over the report keeps our share:
     * <pre>
     *   predicted = p50_peer + w / (w + k) · max(0, predicted_own − p50_peer)
     * </pre>
     * With plenty of recent own data this approaches max(own, peer); once our data about an endpoint we stopped using
     * has aged (w → 0; e.g. its last observations were timeouts) the endpoint's own report decides, so a recovered
     * endpoint is seen without making a user request pay for a probe.
     */
    static double withPeerP50(double predictedOwn, double peerP50, double ownWeight, double peerWeight) {
        double share = ownWeight + peerWeight > 0 ? ownWeight / (ownWeight + peerWeight) : 0;
        return peerP50 + share * Math.max(0, predictedOwn - peerP50);
    }

    /**
     * True when the endpoint is due an exploratory request: nothing in flight and not picked for
     * {@code exploreInterval · 2^k}, k = explorations since it was last chosen on merit (at most 3 doublings), so an
     * endpoint that stays bad is probed ever less often (1, 2, 4, 8 s by default). Never while a fresh peer report
     * carries the endpoint's p50: the report already tells what a probe would, without making a user request pay
     * for it (a probe into an endpoint answering in 2 s is a timed-out request).
     */
    public boolean dueForExploration(EndpointState s, long nowNanos) {
        int k = Math.min(explorations.getOrDefault(s.address(), 0), MAX_EXPLORE_DOUBLINGS);
        return s.pending() == 0 && nowNanos - s.lastPickedNanos() >= exploreIntervalNanos << k
                && Double.isNaN(s.peerP50FloorNanos(nowNanos));
    }

    /** Prequal hot threshold: the hotQuantile quantile of requests in flight (nearest rank, lower). */
    public double hotThreshold(List<EndpointState> considered, long nowNanos) {
        int[] rif = new int[considered.size()];
        for (int i = 0; i < rif.length; i++) {
            rif[i] = considered.get(i).loadLevel(nowNanos) - 1;
        }
        Arrays.sort(rif);
        return rif[(int) Math.floor(config.hotQuantile() * (rif.length - 1))];
    }

    @Override
    public EndpointState choose(List<EndpointState> candidates, long nowNanos) {
        return choose(candidates, nowNanos, 0);
    }

    @Override
    public EndpointState choose(List<EndpointState> candidates, long nowNanos, long deadlineNanos) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        List<EndpointState> considered = consider(candidates);
        EndpointState explore = null;
        boolean anyConfident = false;
        for (EndpointState s : considered) {
            if (dueForExploration(s, nowNanos)
                    && (explore == null || s.lastPickedNanos() < explore.lastPickedNanos())) {
                explore = s;
            }
            anyConfident |= s.latencyByLoad().samples() >= config.minSamples()
                    || !Double.isNaN(s.peerP50FloorNanos(nowNanos));
        }
        if (explore != null) {
            explorations.merge(explore.address(), 1, Integer::sum);
            return explore;
        }
        if (!anyConfident) {
            EndpointState chosen = fallback.choose(considered, nowNanos);
            explorations.remove(chosen.address());
            return chosen;
        }
        double hot = hotThreshold(considered, nowNanos);
        int n = considered.size();
        int offset = random.nextInt(n);
        EndpointState bestCold = null;
        double bestCost = Double.POSITIVE_INFINITY;
        EndpointState leastLoaded = null;
        int leastLevel = Integer.MAX_VALUE;
        double minPredicted = Double.POSITIVE_INFINITY;
        double maxPredicted = Double.NEGATIVE_INFINITY;
        EndpointState mostHopeless = null;
        for (int k = 0; k < n; k++) {
            EndpointState s = considered.get((offset + k) % n);
            int level = s.loadLevel(nowNanos);
            if (level < leastLevel) {
                leastLevel = level;
                leastLoaded = s;
            }
            Prediction p = predict(s, nowNanos);
            if (p.predictedLatencyNanos() < minPredicted) {
                minPredicted = p.predictedLatencyNanos();
            }
            if (p.predictedLatencyNanos() > maxPredicted) {
                maxPredicted = p.predictedLatencyNanos();
                mostHopeless = s;
            }
            if (level - 1 > hot) {
                continue;
            }
            if (p.costNanos() < bestCost) {
                bestCost = p.costNanos();
                bestCold = s;
            }
        }
        EndpointState chosen = bestCold != null ? bestCold : leastLoaded;
        if (deadlineNanos > 0 && minPredicted >= deadlineNanos) {
            // Overload: the try misses its deadline wherever it goes. Adding it to the best queue would only push
            // that endpoint past the deadline too (all queues equalise and every request fails); send it to the
            // endpoint that is already the most hopeless, so the others keep meeting deadlines.
            chosen = mostHopeless;
        }
        if (!explorations.isEmpty()) {
            explorations.remove(chosen.address());
        }
        return chosen;
    }

    private List<EndpointState> consider(List<EndpointState> candidates) {
        if (candidates.size() <= config.maxConsidered()) {
            return candidates;
        }
        List<EndpointState> copy = new ArrayList<>(candidates);
        int m = config.maxConsidered();
        for (int i = 0; i < m; i++) {
            int j = i + random.nextInt(copy.size() - i);
            EndpointState t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return copy.subList(0, m);
    }
}
