package io.sidecar.balancer.load;

import io.sidecar.balancer.Endpoint;
import io.sidecar.balancer.FailureKind;
import io.sidecar.balancer.LoadHint;
import io.sidecar.balancer.Outcome;
import io.sidecar.balancer.PeerLoad;

/**
 * Everything the balancer has learned about one endpoint: in-flight count, peak-EWMA, the latency-by-load model,
 * the decayed error rate, timing of the last response, the last upstream load hint and traffic counters.
 *
 * <p>Every strategy reads the same state, so switching strategy at run time loses nothing. Not thread-safe: the
 * owning {@code ClusterBalancer} mutates and reads it under its lock.
 */
public final class EndpointState {

    /**
     * Tunables of the per-endpoint estimators (from the balancer config).
     *
     * @param peerTtlNanos    how long a {@link PeerLoad} report stays usable
     * @param peerPriorWeight pseudo-observations a peer-reported error ratio counts as in the failure probability
     */
    public record Tuning(long peakEwmaTauNanos, long defaultRttNanos, long modelTauNanos, long errorTauNanos,
                         long trafficTauNanos, long hintTtlNanos, long peerTtlNanos, double peerPriorWeight) {
    }

    private final String address;
    private int weight;
    private final long addedAtNanos;
    private final boolean slowStartEligible;
    private final Tuning tuning;

    private int pending;
    private long busySinceNanos;
    private long lastResponseNanos;
    private long lastPickedNanos;
    private final PeakEwma peakEwma;
    private final LatencyByLoad latencyByLoad;
    private final DecayingRate errorRate;
    private final DecayingCounter recentPicks;
    private final RecentLatencies recentLatencies = new RecentLatencies(256);
    private long requests;
    private long failures;

    /** Tries we gave up on (timeout, cancel) that may still occupy the endpoint: when and for how long they ran. */
    private final long[] abandonedAt = new long[ABANDONED_SLOTS];
    private final long[] abandonedRan = new long[ABANDONED_SLOTS];
    private int abandonedNext;
    private static final int ABANDONED_SLOTS = 32;

    private int hintRif = -1;
    private double hintP50Nanos = Double.NaN;
    private long hintAtNanos;
    private int pendingAtHint;

    private PeerLoad peer;
    private int pendingAtPeer;
    private boolean removed;

    public EndpointState(Endpoint endpoint, long nowNanos, boolean slowStartEligible, Tuning tuning) {
        this.address = endpoint.address();
        this.weight = endpoint.weight();
        this.addedAtNanos = nowNanos;
        this.slowStartEligible = slowStartEligible;
        this.tuning = tuning;
        this.peakEwma = new PeakEwma(tuning.peakEwmaTauNanos(), tuning.defaultRttNanos(), nowNanos);
        this.latencyByLoad = new LatencyByLoad(tuning.modelTauNanos());
        this.errorRate = new DecayingRate(tuning.errorTauNanos(), nowNanos);
        this.recentPicks = new DecayingCounter(tuning.trafficTauNanos(), nowNanos);
        this.lastResponseNanos = nowNanos;
        this.lastPickedNanos = nowNanos;
    }

    public String address() {
        return address;
    }

    /** Whether the endpoint has left its cluster's set; handles still in flight may complete on it afterwards. */
    public boolean isRemoved() {
        return removed;
    }

    public void markRemoved() {
        removed = true;
    }

    public int weight() {
        return weight;
    }

    public void setWeight(int weight) {
        this.weight = weight;
    }

    public long addedAtNanos() {
        return addedAtNanos;
    }

    /** True when the endpoint joined after the cluster was built (Envoy applies slow start to new hosts). */
    public boolean slowStartEligible() {
        return slowStartEligible;
    }

    /** Requests in flight from this balancer. */
    public int pending() {
        return pending;
    }

    public long lastPickedNanos() {
        return lastPickedNanos;
    }

    public long requests() {
        return requests;
    }

    public long failures() {
        return failures;
    }

    public PeakEwma peakEwma() {
        return peakEwma;
    }

    public LatencyByLoad latencyByLoad() {
        return latencyByLoad;
    }

    /**
     * Decayed failure rate of our own tries; with a fresh peer report carrying an error ratio e, that ratio is a
     * prior worth {@code peerPriorWeight} (k) observations: {@code p = (f + k·e) / (n + 1 + k)} with f, n the
     * decayed own failures and calls ({@link DecayingRate#probability(long, double, double)}). An endpoint we have
     * barely talked to is judged by its own report; one we have many recent observations of, by those.
     */
    public double failureProbability(long nowNanos) {
        PeerLoad p = freshPeer(nowNanos);
        if (p != null && p.hasErrorRate()) {
            return errorRate.probability(nowNanos, p.errorRate(), tuning.peerPriorWeight());
        }
        return errorRate.probability(nowNanos);
    }

    public double recentPicks(long nowNanos) {
        return recentPicks.value(nowNanos);
    }

    public RecentLatencies recentLatencies() {
        return recentLatencies;
    }

    /**
     * Time the endpoint has been silent while it has work: with requests in flight, the time since the later of
     * the last response and the moment it became busy; 0 when idle. A lower bound on the latency a stuck endpoint
     * is currently producing.
     */
    public long silentNanos(long nowNanos) {
        if (pending == 0) {
            return 0;
        }
        return Math.max(0, nowNanos - Math.max(lastResponseNanos, busySinceNanos));
    }

    /**
     * Load level a request sent now would meet: our own in-flight plus one, raised to the upstream-reported
     * requests in flight (adjusted by how our in-flight changed since that report) while the report is fresh.
     */
    public int loadLevel(long nowNanos) {
        int level = pending + (int) Math.round(abandonedLoad(nowNanos));
        if (hintRif >= 0 && hintFresh(nowNanos)) {
            level = Math.max(level, hintRif + (pending - pendingAtHint));
        } else {
            level = Math.max(level, peerLevelFloor(nowNanos) - 1);
        }
        return level + 1;
    }

    private boolean hintFresh(long nowNanos) {
        return nowNanos - hintAtNanos <= tuning.hintTtlNanos();
    }

    /**
     * Stores a load report from the endpoint's own sidecar ({@link PeerLoad}, issue #6). A report older than the one
     * held is ignored (returns false); a time in the future counts as now. Our in-flight at arrival is remembered,
     * so later changes of our own in-flight correct the reported count (as for the response hint).
     */
    public boolean observePeer(long nowNanos, PeerLoad load) {
        long at = Math.min(load.observedAtNanos(), nowNanos);
        if (peer != null && at < peer.observedAtNanos()) {
            return false;
        }
        peer = at == load.observedAtNanos() ? load
                : new PeerLoad(load.inFlight(), load.p50Ms(), load.p99Ms(), load.errorRate(), load.cpu(), at);
        pendingAtPeer = pending;
        return true;
    }

    /** The last peer report while it is younger than {@code peerTtl}, else null. */
    public PeerLoad freshPeer(long nowNanos) {
        return peer != null && nowNanos - peer.observedAtNanos() <= tuning.peerTtlNanos() ? peer : null;
    }

    /**
     * Load level floor from a fresh peer report when no fresh response hint carries requests in flight (the hint is
     * newer and about this very connection's server, so it wins): reported in-flight + (our in-flight now − at the
     * report's arrival) + 1; 0 when the peer report does not apply.
     */
    public int peerLevelFloor(long nowNanos) {
        if (hintRif >= 0 && hintFresh(nowNanos)) {
            return 0;
        }
        PeerLoad p = freshPeer(nowNanos);
        if (p == null) {
            return 0;
        }
        long reported = Math.min(p.inFlight(), Integer.MAX_VALUE / 2);
        return (int) Math.max(0, reported + (pending - pendingAtPeer)) + 1;
    }

    /** Peer-reported p50 (nanos) of a fresh peer report when no fresh response hint carries a p50, else NaN. */
    public double peerP50FloorNanos(long nowNanos) {
        if (!Double.isNaN(freshHintP50Nanos(nowNanos))) {
            return Double.NaN;
        }
        PeerLoad p = freshPeer(nowNanos);
        return p != null && p.hasP50() ? p.p50Ms() * 1_000_000.0 : Double.NaN;
    }

    /**
     * Expected number of abandoned tries still running on the endpoint. The server does not learn that we gave up
     * (and we no longer receive its load reports for those tries), so each abandoned try is assumed to keep running
     * about as long again as it already ran: it counts with weight {@code exp(-age / ran)}.
     */
    public double abandonedLoad(long nowNanos) {
        double sum = 0;
        for (int i = 0; i < ABANDONED_SLOTS; i++) {
            if (abandonedRan[i] > 0) {
                double w = Math.exp(-(double) Math.max(0, nowNanos - abandonedAt[i]) / abandonedRan[i]);
                if (w < 0.01) {
                    abandonedRan[i] = 0;
                } else {
                    sum += w;
                }
            }
        }
        return sum;
    }

    private void abandoned(long nowNanos, long ranNanos) {
        abandonedAt[abandonedNext] = nowNanos;
        abandonedRan[abandonedNext] = Math.max(1_000_000L, ranNanos);
        abandonedNext = (abandonedNext + 1) % ABANDONED_SLOTS;
    }

    /** Upstream-reported p50 (nanos) while fresh, else NaN. */
    public double freshHintP50Nanos(long nowNanos) {
        if (!Double.isNaN(hintP50Nanos) && hintFresh(nowNanos)) {
            return hintP50Nanos;
        }
        return Double.NaN;
    }

    /** A try starts: returns the load level it was sent at (to be given back to {@link #onComplete}). */
    public int onStart(long nowNanos) {
        int level = loadLevel(nowNanos);
        if (pending == 0) {
            busySinceNanos = nowNanos;
        }
        pending++;
        requests++;
        lastPickedNanos = nowNanos;
        recentPicks.add(nowNanos, 1.0);
        return level;
    }

    /**
     * A try ends. Cancelled tries release the in-flight count and count as a lower bound on latency only; they never
     * count as failures.
     */
    public void onComplete(long nowNanos, long latencyNanos, Outcome outcome, LoadHint hint, int levelAtSend) {
        if (pending > 0) {
            pending--;
        }
        if (outcome.isCancelled() || outcome.failure() == FailureKind.TIMEOUT) {
            abandoned(nowNanos, latencyNanos);
        }
        if (outcome.isCancelled()) {
            // A cancelled try (hedge lost, client gone) is a censored observation: its latency is at least the time
            // it ran. Below the current estimates it says nothing; above them it is evidence the endpoint is slower
            // than believed (without it, an endpoint whose slow tries always lose hedges would look fast).
            if (latencyNanos > peakEwma.lastValueNanos()) {
                peakEwma.observe(nowNanos, latencyNanos);
            }
            double predicted = latencyByLoad.predict(nowNanos, levelAtSend);
            if (!Double.isNaN(predicted) && latencyNanos > predicted) {
                latencyByLoad.record(nowNanos, levelAtSend, latencyNanos);
            }
            // the percentile window keeps the lower bound too: leaving out tries that lost a hedge would bias the
            // p95 (and so the next hedge delay) low, and hedges would fire ever sooner
            recentLatencies.record(latencyNanos);
            return;
        }
        if (outcome.failure() != FailureKind.TIMEOUT) {
            lastResponseNanos = nowNanos;   // a timeout is the absence of a response: the silence goes on
        }
        peakEwma.observe(nowNanos, latencyNanos);
        latencyByLoad.record(nowNanos, levelAtSend, latencyNanos);
        errorRate.record(nowNanos, outcome.isFailure());
        recentLatencies.record(latencyNanos);
        if (outcome.isFailure()) {
            failures++;
        }
        if (hint != null && !hint.isEmpty()) {
            hintAtNanos = nowNanos;
            pendingAtHint = pending;
            hintRif = hint.hasRequestsInFlight() ? hint.requestsInFlight() : -1;
            hintP50Nanos = hint.hasP50() ? hint.p50Millis() * 1_000_000.0 : Double.NaN;
        }
    }
}
